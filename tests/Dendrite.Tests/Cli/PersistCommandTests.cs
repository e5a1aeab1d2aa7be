using System.Text.Json;
using Dendrite.Tests.IO;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary>train --out/--checkpoint/--resume, eval, predict and export, end to end through the command line.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class PersistCommandTests
{
    private const string Spec = "dense(16),relu,dense(4),softmax";
    private static readonly Lazy<string> Data = new(() => SmallData.Folder(SmallData.TempDir(), 200, 60, 5));

    private static string Temp(string name) => Path.Combine(SmallData.TempDir(), name);

    /// <summary>Trains the small model for 3 epochs and returns the model file.</summary>
    private static string TrainedModel(params string[] extra)
    {
        var model = Temp("m.safetensors");
        var (code, _, err) = Run(["train", "--data", Data.Value, "--model", Spec, "--epochs", "3", "--batch", "16", "--lr", "0.01", "--threads", "2", "--out", model, .. extra]);
        Assert.True(code == 0, err);
        return model;
    }

    private static int[][] Bits(string modelFile)
    {
        var f = SafeTensorsFile.Read(modelFile);
        return [.. f.Entries.Select(e => f.Floats(e).Select(BitConverter.SingleToInt32Bits).ToArray())];
    }

    [Fact]
    public void Eval_gives_exactly_the_accuracy_training_reported()
    {
        const string dir = IdxDataset.DefaultDirectory;
        Assert.True(Directory.Exists(dir), $"{dir} is missing: apt-get install dataset-fashion-mnist");
        var model = Temp("mlp.safetensors");
        var metrics = Temp("metrics.jsonl");
        var (code, _, err) = Run("train", "--model", "mlp", "--epochs", "2", "--train-limit", "3000", "--test-limit", "1000",
            "--out", model, "--metrics", metrics);
        Assert.True(code == 0, err);
        var last = JsonDocument.Parse(File.ReadAllLines(metrics)[^1]).RootElement;

        (code, var stdout, err) = Run("eval", "--model", model, "--test-limit", "1000", "--json");
        Assert.True(code == 0, err);
        var eval = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1000, eval.GetProperty("samples").GetInt32());
        Assert.Equal(last.GetProperty("test_accuracy").GetDouble(), Math.Round(eval.GetProperty("test_accuracy").GetDouble(), 6));
        Assert.Equal(last.GetProperty("test_loss").GetDouble(), Math.Round(eval.GetProperty("test_loss").GetDouble(), 6));
        Assert.InRange(eval.GetProperty("test_accuracy").GetDouble(), 0.6, 1.0);
    }

    [Fact]
    public void Resume_from_a_mid_run_checkpoint_ends_with_the_same_bits()
    {
        var full = TrainedModel();
        var dir = SmallData.TempDir();
        TrainedModel("--checkpoint", dir, "--checkpoint-every", "7");
        // 13 steps an epoch: checkpoints at steps 35 (mid-epoch 3) and 39 (the end) remain. Drop the end, as a crash would.
        var files = Checkpoint.List(dir);
        Assert.Equal(["step-0000000039.safetensors", "step-0000000035.safetensors"], files.Select(Path.GetFileName));
        File.Delete(files[0]);

        var resumed = Temp("resumed.safetensors");
        var (code, stdout, err) = Run("train", "--resume", dir, "--out", resumed);
        Assert.True(code == 0, err);
        Assert.Contains("resuming from", stdout);
        Assert.Contains("epoch 3, batch 9, step 35", stdout);
        Assert.Equal(Bits(full), Bits(resumed));
    }

    [Fact]
    public void Resume_keeps_the_metrics_of_the_epochs_before_and_appends()
    {
        var fullMetrics = Temp("full.jsonl");
        TrainedModel("--metrics", fullMetrics);
        var dir = SmallData.TempDir();
        var metrics = Temp("run.jsonl");
        TrainedModel("--checkpoint", dir, "--checkpoint-every", "7", "--metrics", metrics);
        File.Delete(Checkpoint.List(dir)[0]); // back to step 35, mid-epoch 3: its line is written again
        var before = File.ReadAllLines(metrics);
        Assert.Equal(3, before.Length);

        var (code, _, err) = Run("train", "--resume", dir, "--metrics", metrics);
        Assert.True(code == 0, err);
        var after = File.ReadAllLines(metrics);
        Assert.Equal(3, after.Length);
        Assert.Equal(before[..2], after[..2]);
        var full = JsonDocument.Parse(File.ReadAllLines(fullMetrics)[2]).RootElement;
        var resumed = JsonDocument.Parse(after[2]).RootElement;
        Assert.Equal(3, resumed.GetProperty("epoch").GetInt32());
        foreach (var name in new[] { "train_loss", "test_loss", "test_accuracy" })
            Assert.Equal(full.GetProperty(name).GetDouble(), resumed.GetProperty(name).GetDouble());
    }

    [Fact]
    public void Resume_refuses_a_metrics_file_it_cannot_read()
    {
        var dir = SmallData.TempDir();
        TrainedModel("--checkpoint", dir, "--checkpoint-every", "7");
        File.Delete(Checkpoint.List(dir)[0]);
        var metrics = Temp("notes.txt");
        File.WriteAllText(metrics, "my notes\n");
        var line = AssertBadInput("train", "--resume", dir, "--metrics", metrics);
        Assert.Equal($"dendrite: --metrics: {metrics} line 1 is not a metrics line (a JSON object with an epoch); resuming appends to it", line);
        Assert.Equal("my notes\n", File.ReadAllText(metrics));
    }

    [Fact]
    public void Resume_refuses_to_change_the_run()
    {
        var dir = SmallData.TempDir();
        TrainedModel("--checkpoint", dir);
        var line = AssertBadInput("train", "--resume", dir, "--lr", "0.1");
        Assert.Equal("dendrite: --lr: cannot be changed when resuming; --resume continues with the checkpoint's settings", line);
        var (code, stdout, _) = Run("train", "--resume", dir);
        Assert.Equal(0, code);
        Assert.Contains("already finished all 3 epochs", stdout);
    }

    [Fact]
    public void A_diverging_run_stops_and_names_the_checkpoint_it_kept()
    {
        var dir = SmallData.TempDir();
        var line = AssertBadInput(false, "train", "--data", Data.Value, "--model", Spec, "--optimizer", "sgd", "--lr", "1e30",
            "--checkpoint", dir, "--checkpoint-every", "1");
        Assert.Contains("loss became NaN at epoch 1, step 2; try a smaller learning rate (--lr)", line);
        // Step 1's checkpoint holds the weights whose loss was NaN at step 2: not a good one, so it is set aside.
        Assert.Contains("no checkpoint of this run had given a finite loss yet", line);
        Assert.Empty(Checkpoint.List(dir));
        Assert.True(File.Exists(Path.Combine(dir, "step-0000000001.safetensors.diverged")));
        Assert.False(File.Exists(Path.Combine(dir, CheckpointLock.FileName)));
    }

    private static string Png(Dataset data, int i, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var info = new SKImageInfo(SmallData.Side, SmallData.Side, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var pixels = bitmap.GetPixelSpan();
        var sample = data.Sample(i);
        for (int k = 0; k < sample.Length; k++) pixels[k] = (byte)MathF.Round(sample[k] * 255f);
        var path = Temp($"image{i}.{format.ToString().ToLowerInvariant()}");
        using var encoded = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, encoded.ToArray());
        return path;
    }

    [Fact]
    public void Predict_reads_png_and_jpeg_as_the_data_loader_reads_pixels()
    {
        var model = TrainedModel();
        var test = IdxDataset.LoadTest(Data.Value);
        var net = ModelFile.Load(model).Net;
        var (code, stdout, err) = Run("predict", "--model", model, "--json", "--top", "4", Png(test, 0), Png(test, 1), Png(test, 1, SKEncodedImageFormat.Jpeg));
        Assert.True(code == 0, err);
        var results = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(3, results.GetArrayLength());
        for (int i = 0; i < 2; i++)
        {
            var expected = Evaluator.Predict(net, test.Sample(i), 1);
            foreach (var p in results[i].GetProperty("predictions").EnumerateArray())
                Assert.Equal(expected[p.GetProperty("class").GetInt32()], p.GetProperty("probability").GetSingle());
        }
        int Best(int i) => results[i].GetProperty("predictions")[0].GetProperty("class").GetInt32();
        Assert.Equal(Best(1), Best(2)); // the lossy JPEG of the same image
        Assert.Equal(test.Labels[0], Best(0));

        (code, stdout, _) = Run("predict", "--model", model, Png(test, 0));
        Assert.Equal(0, code);
        Assert.Matches(@"image0\.png: \d \d+\.\d\d%, \d \d+\.\d\d%, \d \d+\.\d\d%", stdout);
    }

    [Fact]
    public void Export_writes_a_model_onnx_runtime_runs()
    {
        var model = TrainedModel();
        var onnx = Temp("m.onnx");
        var (code, stdout, err) = Run("export", "--model", model, "--out", onnx);
        Assert.True(code == 0, err);
        Assert.Contains("ONNX opset 17", stdout);
        var test = IdxDataset.LoadTest(Data.Value);
        using var session = new InferenceSession(onnx);
        using var input = OrtValue.CreateTensorValueFromMemory(test.Sample(3).ToArray(), [1, 1, 8, 8]);
        using var options = new RunOptions();
        using var output = session.Run(options, ["input"], [input], session.OutputNames);
        var expected = Evaluator.Predict(ModelFile.Load(model).Net, test.Sample(3), 1);
        TestData.AssertClose(expected, output[0].GetTensorDataAsSpan<float>(), 1e-5f);
    }

    [Fact]
    public void Bad_files_and_images_end_in_one_line_and_exit_code_2()
    {
        var model = TrainedModel();
        var hostile = Temp("hostile.safetensors");
        File.WriteAllBytes(hostile, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, (byte)'{', (byte)'}']);
        var truncated = Temp("truncated.safetensors");
        File.WriteAllBytes(truncated, File.ReadAllBytes(model)[..400]);
        var text = Temp("notes.png");
        File.WriteAllText(text, "not an image");
        var test = IdxDataset.LoadTest(Data.Value);

        Assert.Contains("header length 9223372036854775807 does not fit a 10-byte file", AssertBadInput("eval", "--model", hostile, "--data", Data.Value));
        Assert.Contains("truncated.safetensors: header length", AssertBadInput("predict", "--model", truncated, Png(test, 0)));
        Assert.Contains("hostile.safetensors", AssertBadInput("export", "--model", hostile, "--out", Temp("x.onnx")));
        Assert.Contains("missing.png: image not found", AssertBadInput("predict", "--model", model, "missing.png"));
        Assert.Contains("notes.png: not an image SkiaSharp can decode", AssertBadInput("predict", "--model", model, text));
        Assert.Contains("no checkpoint", AssertBadInput("train", "--resume", SmallData.TempDir()));
        Assert.Contains("samples are [1, 8, 8], the model takes [1, 28, 28]",
            AssertBadInput("eval", "--model", Checkpointless28(), "--data", Data.Value));
        AssertBadInput("eval", "--data", Data.Value); // --model is required
        Assert.Contains("100000x100000 pixels is more than", AssertBadInput("predict", "--model", model, HugePng()));
    }

    /// <summary>A 200-byte PNG whose header claims 100000 x 100000 pixels (40 GB decoded).</summary>
    private static string HugePng()
    {
        static byte[] Chunk(string type, byte[] data)
        {
            var body = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            uint crc = 0xFFFFFFFF;
            foreach (byte b in body)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
            }
            var chunk = new byte[12 + data.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
            body.CopyTo(chunk, 4);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), ~crc);
            return chunk;
        }
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, 100000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 100000);
        ihdr[8] = 8; // 8-bit grey
        var path = Temp("huge.png");
        File.WriteAllBytes(path, [137, 80, 78, 71, 13, 10, 26, 10, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", [120, 156, 3, 0, 0, 0, 0, 1]), .. Chunk("IEND", [])]);
        return path;
    }

    private static string Checkpointless28()
    {
        var net = ModelSpec.Build("perceptron", [1, 28, 28], 10, 1);
        var path = Temp("p.safetensors");
        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        return path;
    }
}
