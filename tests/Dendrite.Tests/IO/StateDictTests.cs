using System.Text;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.IO;

/// <summary>
/// A PyTorch state_dict saved as safetensors (no Dendrite metadata), written here as Python's safetensors writes it:
/// tensors sorted by name, an I64 num_batches_tracked per batch norm, module indices that differ from Dendrite's.
/// </summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class StateDictTests
{
    private const string Spec = "conv(4,3,pad=1),batchnorm,relu,maxpool(2),flatten,dense(5)";
    private static readonly int[] Input = [2, 6, 6];

    /// <summary>One tensor of a foreign file: F32 values, or I64 counters.</summary>
    internal sealed record Entry(string Name, int[] Shape, float[]? Floats = null, long[]? Longs = null);

    /// <summary>Writes a safetensors file as PyTorch's writer does: format "pt", tensors in name order.</summary>
    internal static void WriteTorch(string path, IEnumerable<Entry> entries)
    {
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        var data = new MemoryStream();
        foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            long begin = data.Length;
            if (e.Longs is { } l) foreach (var v in l) data.Write(BitConverter.GetBytes(v));
            else foreach (var v in e.Floats!) data.Write(BitConverter.GetBytes(v));
            string dtype = e.Longs is null ? "F32" : "I64";
            header.Append($",\"{e.Name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", e.Shape)}],\"data_offsets\":[{begin},{data.Length}]}}");
        }
        header.Append('}');
        while (header.Length % 8 != 0) header.Append(' ');
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((ulong)header.Length));
        f.Write(Encoding.UTF8.GetBytes(header.ToString()));
        data.Position = 0;
        data.CopyTo(f);
    }

    // The network's tensors under PyTorch module indices 2 (conv), 10 (batch norm) and 11 (linear): sorted by name they
    // come as 10, 11, 2, so only ordering by number puts them back in layer order.
    private static List<Entry> TorchEntries(Sequential net, string[] modules)
    {
        var entries = new List<Entry>();
        var layers = net.Layers.Where(l => l.NamedParameters.Any()).ToList();
        for (int i = 0; i < layers.Count; i++)
        {
            foreach (var (name, p) in layers[i].NamedParameters) entries.Add(new($"{modules[i]}.{name}", p.Value.Shape.ToArray(), p.Value.Span.ToArray()));
            foreach (var (name, b) in layers[i].Buffers) entries.Add(new($"{modules[i]}.{name}", b.Shape.ToArray(), b.Span.ToArray()));
            if (layers[i] is BatchNorm) entries.Add(new($"{modules[i]}.num_batches_tracked", [], Longs: [937]));
        }
        return entries;
    }

    private static Sequential Trained()
    {
        var net = ModelSpec.Build(Spec, Input, 5, seed: 3);
        // Running statistics away from their start, so a swapped or skipped buffer shows.
        var rng = new Rng(9);
        foreach (var (_, b) in net.Buffers)
            for (int i = 0; i < b.Length; i++) b.Span[i] = 0.5f + rng.NextFloat();
        return net;
    }

    [Fact]
    public void A_state_dict_with_other_indices_in_name_order_loads_by_position_and_predicts_the_same_bits()
    {
        using var dir = new TempDirectory();
        var net = Trained();
        string path = dir.File("torch.safetensors");
        WriteTorch(path, TorchEntries(net, ["2", "10", "11"]));

        var saved = ModelFile.Load(path, Spec, Input);
        var x = new float[3 * 72];
        var rng = new Rng(4);
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
        Assert.Equal(Evaluator.Predict(net, x, 3), Evaluator.Predict(saved.Net, x, 3));
        Assert.Equal(5, saved.Metadata.Outputs);
        Assert.Equal(net.Spec, saved.Metadata.Spec);
    }

    [Fact]
    public void Each_mismatch_names_the_tensor_the_layer_and_both_shapes()
    {
        using var dir = new TempDirectory();
        var net = Trained();
        string path = dir.File("torch.safetensors");
        WriteTorch(path, TorchEntries(net, ["0", "1", "4"]));

        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path, "conv(4,5,pad=2),batchnorm,relu,maxpool(2),flatten,dense(5)", Input));
        Assert.Equal($"{path}: tensor '0.weight' is [4, 2, 3, 3], layer 1 conv(4,5,pad=2) needs [4, 2, 5, 5] for its weight", e.Message);

        e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path, "conv(4,3,pad=1),relu,maxpool(2),flatten,dense(5)", Input));
        Assert.StartsWith($"{path}: holds the weights of 3 modules (0, 1, 4), the spec has 2 layers with weights", e.Message);

        e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path, "conv(4,3,pad=1),conv(4,1),relu,maxpool(2),flatten,dense(5)", Input));
        Assert.Contains("module '1' holds bias, running_mean, running_var, weight; layer 2 conv(4,1), the layer with weights number 2, needs weight, bias", e.Message);

        // An integer tensor is only accepted as a batch norm's counter.
        var entries = TorchEntries(net, ["0", "1", "4"]);
        entries[0] = entries[0] with { Floats = null, Longs = new long[entries[0].Floats!.Length] };
        WriteTorch(path, entries);
        e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path, Spec, Input));
        Assert.Contains("'0.weight' is I64; weights must be F32", e.Message);
    }

    [Fact]
    public void Eval_predict_export_and_train_take_a_state_dict_with_spec()
    {
        using var dir = new TempDirectory();
        string data = SmallData.Folder(dir.File("data"), 64, 32, 5);
        const string spec = "conv(4,3,pad=1),relu,maxpool(2),flatten,dense(4)";
        var net = ModelSpec.Build(spec, [1, 8, 8], 4, seed: 2);
        string path = dir.File("torch.safetensors");
        WriteTorch(path, TorchEntries(net, ["0", "4"]));

        var (code, stdout, err) = Run("eval", "--model", path, "--spec", spec, "--data", data, "--json");
        Assert.True(code == 0, err);
        var (_, test) = IdxDataset.LoadDirectory(data);
        var expected = Evaluator.Evaluate(net, new SoftmaxCrossEntropy(), test);
        Assert.Contains($"\"test_accuracy\":{expected.Accuracy.ToString(System.Globalization.CultureInfo.InvariantCulture)}", stdout);

        (code, _, err) = Run("export", "--model", path, "--spec", spec, "--input", "1x8x8", "--out", dir.File("m.onnx"));
        Assert.True(code == 0, err);
        (code, stdout, err) = Run("train", "--model", path, "--spec", spec, "--data", data, "--epochs", "1", "--batch", "16", "--out", dir.File("tuned.safetensors"));
        Assert.True(code == 0, err);
        Assert.Equal(spec, ModelFile.Load(dir.File("tuned.safetensors")).Metadata.Spec);

        Assert.Contains("layer 1 conv(4,5)", AssertBadInput("eval", "--model", path, "--spec", "conv(4,5),relu,maxpool(2),flatten,dense(4)", "--data", data));
        Assert.Contains("__metadata__", AssertBadInput("eval", "--model", path, "--data", data));
    }
}
