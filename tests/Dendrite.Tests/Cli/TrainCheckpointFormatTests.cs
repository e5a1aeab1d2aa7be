using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary>train --resume reads the command's settings as checkpoints save them now and as they saved them before.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class TrainCheckpointFormatTests
{
    private static readonly Lazy<string> Data = new(() => SmallData.Folder(SmallData.TempDir(), 200, 60, 5));

    // Options away from every default, so that a resume which lost them would train differently.
    private static string Train(params string[] extra)
    {
        var model = Path.Combine(SmallData.TempDir(), "m.safetensors");
        var (code, _, err) = Run(["train", "--data", Data.Value, "--model", "dense(16),relu,dense(4),softmax", "--epochs", "3", "--batch", "16",
            "--optimizer", "momentum", "--lr", "0.02", "--momentum", "0.8", "--schedule", "step", "--seed", "5", "--threads", "2", "--out", model, .. extra]);
        Assert.True(code == 0, err);
        return model;
    }

    [Fact]
    public void The_settings_leave_the_options_to_the_library_key()
    {
        var dir = SmallData.TempDir();
        Train("--checkpoint", dir);
        var metadata = SafeTensorsFile.Read(Checkpoint.List(dir)[0]).Metadata;
        var settings = JsonNode.Parse(metadata["train_settings"])!.AsObject();
        Assert.False(settings.ContainsKey("Optimizer"));
        Assert.False(settings.ContainsKey("Epochs"));
        var options = JsonNode.Parse(metadata[TrainingRun.OptionsKey])!;
        Assert.Equal("momentum", (string?)options["Optimizer"]);
        Assert.Equal(0.8f, (float)options["Momentum"]!);
    }

    [Theory]
    [InlineData(false)] // as dendrite train wrote them with the options also under training.options
    [InlineData(true)]  // the flat settings alone
    public void Resume_reads_settings_that_held_the_options_as_their_own_fields(bool withoutLibraryOptions)
    {
        var full = Train();
        var dir = SmallData.TempDir();
        Train("--checkpoint", dir, "--checkpoint-every", "7");
        var files = Checkpoint.List(dir);
        File.Delete(files[0]); // resume mid-epoch 3, from step 35
        ToFlatSettings(files[1], withoutLibraryOptions);

        var resumed = Path.Combine(SmallData.TempDir(), "resumed.safetensors");
        var (code, stdout, err) = Run("train", "--resume", dir, "--out", resumed);
        Assert.True(code == 0, err);
        Assert.Contains("epoch 3, batch 9, step 35", stdout);
        Assert.Contains("momentum lr", stdout);
        Assert.Contains("epoch 3/3", stdout);
        Assert.Equal(Bits(full), Bits(resumed));
    }

    // Rewrites a checkpoint's train_settings in the format before they held a TrainingOptions: every option a field of its own.
    private static void ToFlatSettings(string path, bool dropLibraryOptions)
    {
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!.AsObject();
        var metadata = header["__metadata__"]!.AsObject();
        var settings = JsonNode.Parse((string)metadata["train_settings"]!)!.AsObject();
        foreach (var (name, value) in JsonNode.Parse((string)metadata[TrainingRun.OptionsKey]!)!.AsObject())
            settings[name] = value?.DeepClone();
        metadata["train_settings"] = settings.ToJsonString();
        if (dropLibraryOptions) metadata.Remove(TrainingRun.OptionsKey);
        var text = Encoding.UTF8.GetBytes(header.ToJsonString());
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)text.Length);
        File.WriteAllBytes(path, [.. prefix, .. text, .. bytes.AsSpan(8 + length)]);
    }

    private static int[][] Bits(string modelFile)
    {
        var f = SafeTensorsFile.Read(modelFile);
        return [.. f.Entries.Select(e => f.Floats(e).Select(BitConverter.SingleToInt32Bits).ToArray())];
    }
}
