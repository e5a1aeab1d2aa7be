using System.Text.Json.Nodes;
using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Gpu;

/// <summary>--device on the command line: a run on ilgpu-cpu, its model evaluated on both devices, and the refusals.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class GpuCliTests
{
    private static readonly Lazy<string> Data = new(() => SmallData.Folder(SmallData.TempDir(), 200, 60, 5));
    private const string Spec = "conv(4,3,pad=1),relu,maxpool(2),flatten,dense(16),relu,dense(4),softmax";

    [Fact]
    public void Train_on_ilgpu_cpu_then_eval_on_both_devices_gives_one_accuracy()
    {
        var model = Path.Combine(SmallData.TempDir(), "m.safetensors");
        var (code, stdout, err) = Run("train", "--data", Data.Value, "--model", Spec, "--epochs", "1", "--batch", "16", "--lr", "0.01", "--train-limit", "128",
            "--device", "ilgpu-cpu", "--out", model);
        Assert.True(code == 0, err);
        Assert.Contains("on ilgpu-cpu (ILGPU CPU accelerator", stdout);
        double Accuracy(string device)
        {
            var (c, o, e) = Run("eval", "--model", model, "--data", Data.Value, "--json", "--device", device);
            Assert.True(c == 0, e);
            return (double)JsonNode.Parse(o)!["test_accuracy"]!;
        }
        double cpu = Accuracy("cpu");
        Assert.True(cpu > 0.5, $"accuracy {cpu}: the device run learned nothing");
        Assert.Equal(cpu, Accuracy("ilgpu-cpu"), 1e-9);
    }

    [Fact]
    public void An_unknown_device_a_missing_gpu_and_a_layer_without_kernels_are_one_line_each()
    {
        string line = AssertBadInput("train", "--data", Data.Value, "--model", Spec, "--device", "tpu");
        Assert.Contains("--device: unknown device 'tpu'; choose cpu, cuda, ilgpu-cpu", line);
        line = AssertBadInput(false, "train", "--data", Data.Value, "--model", "flatten,dense(8),rbf(4),dense(4)", "--epochs", "1", "--device", "ilgpu-cpu");
        Assert.Contains("--device ilgpu-cpu: layer 3 rbf(4)", line);
        line = AssertBadInput("bench", "--model", "mlp", "--device", "tpu");
        Assert.Contains("--device", line);
        try
        {
            Dendrite.Gpu.DeviceEngines.Create("cuda");
        }
        catch (Dendrite.Gpu.DeviceUnavailableException)
        {
            line = AssertBadInput("train", "--data", Data.Value, "--model", Spec, "--device", "cuda");
            Assert.StartsWith("dendrite: --device cuda: ", line);
        }
    }
}
