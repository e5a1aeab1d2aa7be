using System.Diagnostics;
using System.Globalization;
using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary>
/// The cases of the hostile run (docs/reliability.md): each ends in exit code 2 and one line naming the file or option, or
/// in the right result, and no file is lost, replaced by the wrong content or left half-written.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class HostileInputTests
{
    private const string Spec = "dense(16),relu,dense(4),softmax";
    private static readonly Lazy<string> Data = new(() => SmallData.Folder(SmallData.TempDir(), 120, 40, 9));

    private static string Temp(string name) => Path.Combine(SmallData.TempDir(), name);

    private static string Csv(string name, params string[] lines)
    {
        var path = Temp(name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static string Model()
    {
        var model = Temp("m.safetensors");
        var (code, _, err) = Run("train", "--data", Data.Value, "--model", Spec, "--epochs", "1", "--threads", "1", "--out", model);
        Assert.True(code == 0, err);
        return model;
    }

    [Theory]
    [InlineData("train", "--out")]
    [InlineData("train", "--metrics")]
    [InlineData("train", "--checkpoint")]
    [InlineData("train", "--report")]
    [InlineData("train", "--resume")]
    [InlineData("eval", "--confusion-png")]
    [InlineData("eval", "--model")]
    [InlineData("export", "--out")]
    [InlineData("predict", "--model")]
    public void Empty_path_is_refused_naming_the_option(string command, string option)
    {
        var args = command switch
        {
            "train" => new List<string> { "train", "--data", Data.Value, "--model", Spec, "--epochs", "1" },
            "eval" => ["eval", "--data", Data.Value],
            "export" => ["export"],
            _ => ["predict", "image.png"],
        };
        if (option != "--model" && command is not "train") args.AddRange(["--model", Model()]);
        if (command == "export" && option != "--out") args.AddRange(["--out", Temp("m.onnx")]);
        args.AddRange([option, ""]);
        Assert.Equal($"dendrite: {option}: the path is empty", AssertBadInput([.. args]));
    }

    [Fact]
    public void A_device_is_never_replaced()
    {
        var line = AssertBadInput("make-data", "xor", "--out", "/dev/null");
        Assert.Equal("dendrite: --out: /dev/null: is a device; only a regular file is written (by a new file renamed over it)", line);
        var model = Model();
        AssertBadInput("export", "--model", model, "--out", "/dev/null");
        // The library refuses it too, whoever calls it.
        var saved = ModelFile.Load(model);
        Assert.Throws<IOException>(() => ModelFile.Save("/dev/null", saved.Net, saved.Metadata));
        Assert.False(File.Exists("/dev/null." + Environment.ProcessId + ".tmp"));
    }

    [Fact]
    public void A_folder_or_a_missing_folder_as_out_is_refused_before_training()
    {
        var dir = SmallData.TempDir();
        var missing = Path.Combine(dir, "no", "m.safetensors");
        var clock = Stopwatch.StartNew();
        var line = AssertBadInput("train", "--data", Data.Value, "--model", Spec, "--epochs", "50", "--out", missing);
        Assert.Equal($"dendrite: --out: {missing}: the folder {Path.Combine(dir, "no")} does not exist", line);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "refused only after training");
        Assert.Contains("is a folder", AssertBadInput("train", "--data", Data.Value, "--model", Spec, "--out", dir));
    }

    [Fact]
    public void Export_over_its_own_model_is_refused_and_the_model_kept()
    {
        var model = Model();
        var before = File.ReadAllBytes(model);
        Assert.Equal($"dendrite: --out: {model} is the --model file; writing it would replace the input",
            AssertBadInput("export", "--model", model, "--out", model));
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void Train_out_over_its_csv_data_is_refused()
    {
        var csv = Csv("xy.csv", "x,y", "0,0", "1,1", "2,0", "3,1");
        var before = File.ReadAllText(csv);
        Assert.Contains("is the --data file", AssertBadInput("train", "--data", csv, "--target", "y", "--out", csv));
        Assert.Equal(before, File.ReadAllText(csv));
    }

    [Fact]
    public void Csv_training_writes_its_out_and_checkpoints_and_resumes()
    {
        var csv = Csv("xor.csv", [.. new[] { "a,b,label" }.Concat(Enumerable.Range(0, 60).Select(i => $"{i % 7 - 3},{i % 5 - 2},{((i % 7 - 3 > 0) ^ (i % 5 - 2 > 0) ? 1 : 0)}"))]);
        var model = Temp("csv.safetensors");
        var dir = SmallData.TempDir();
        var (code, _, err) = Run("train", "--data", csv, "--target", "label", "--model", "dense(8),relu,dense(2),softmax", "--epochs", "2",
            "--threads", "1", "--out", model, "--checkpoint", dir);
        Assert.True(code == 0, err);
        Assert.Equal(2, ModelFile.Load(model).Metadata.Outputs);
        Assert.Equal(2, Checkpoint.List(dir).Count);
        Assert.False(File.Exists(Path.Combine(dir, CheckpointLock.FileName)));
        var (again, stdout, err2) = Run("train", "--resume", dir);
        Assert.True(again == 0, err2);
        Assert.Contains("already finished all 2 epochs", stdout);
    }

    [Fact]
    public void Two_phase_fit_writes_its_out_and_refuses_checkpoints()
    {
        var rows = Enumerable.Range(0, 40).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i / 10.0},{Math.Sin(i / 10.0)}"));
        var csv = Csv("sine.csv", [.. new[] { "x,y" }.Concat(rows)]);
        var model = Temp("rbf.safetensors");
        var (code, _, err) = Run("train", "--data", csv, "--target", "y", "--model", "rbf(6),dense(1)", "--fit", "two-phase", "--out", model);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(model));
        Assert.Contains("--checkpoint: --fit two-phase", AssertBadInput(false, "train", "--data", csv, "--target", "y", "--model", "rbf(6),dense(1)",
            "--fit", "two-phase", "--checkpoint", SmallData.TempDir()));
    }

    [Fact]
    public void One_row_table()
    {
        var csv = Csv("one.csv", "a,b", "1,2");
        Assert.Equal($"dendrite: {csv}: 1 data row; a test part and a training part need at least 2 rows (or a test fraction of 0)",
            AssertBadInput("train", "--data", csv, "--target", "b"));
    }

    [Fact]
    public void A_number_beyond_float32_names_file_line_and_column()
    {
        var csv = Csv("big.csv", "a,b", "1,0", "1e39,1", "3,0", "4,1");
        Assert.Equal($"dendrite: {csv}: line 3: column 'a' 1e39 is beyond float32's range (±3.4e38)",
            AssertBadInput("train", "--data", csv, "--target", "b"));
    }

    [Fact]
    public void A_constant_target_is_not_a_classification()
    {
        var csv = Csv("const.csv", "a,b", "1,5", "2,5", "3,5", "4,5");
        Assert.Equal($"dendrite: {csv}: column 'b' holds '5' on every row; classification needs at least two classes",
            AssertBadInput("train", "--data", csv, "--target", "b", "--task", "classification"));
    }

    [Fact]
    public void A_quoted_line_break_inside_a_field_is_read()
    {
        var csv = Csv("q.csv", "x,kind", "1,\"two", "lines\"", "2,plain", "3,\"two", "lines\"", "4,plain", "5,plain", "6,\"two", "lines\"");
        var (code, stdout, err) = Run("train", "--data", csv, "--target", "kind", "--model", "dense(2),softmax", "--epochs", "1");
        Assert.True(code == 0, err);
        Assert.Contains("into 2 classes", stdout);
    }

    [Fact]
    public void An_endless_line_is_refused_at_the_limit_naming_file_and_line()
    {
        var path = Temp("long.csv");
        using (var w = new StreamWriter(path))
        {
            w.Write("a,b\n1,2\n");
            w.Write(new string('7', CsvTable.MaxRowLength + 10));
            w.Write(",1\n");
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal($"dendrite: {path}: line 3: a row longer than 1,048,576 characters; not a table this reads",
            AssertBadInput("train", "--data", path, "--target", "b"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "held the whole line");
    }

    [Fact]
    public void An_endless_line_from_a_pipe_is_refused_at_the_limit()
    {
        var fifo = Temp("pipe.csv");
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        var writer = Task.Run(() =>
        {
            try
            {
                using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                w.Write("a,b\n"u8);
                var chunk = new byte[1 << 16];
                chunk.AsSpan().Fill((byte)'7');
                for (int i = 0; i < 64; i++) w.Write(chunk); // 4 MiB on one line, more than the reader takes
            }
            catch (IOException)
            {
                // The reader stopped at its limit and closed the pipe.
            }
        });
        Assert.Equal($"dendrite: {fifo}: line 2: a row longer than 1,048,576 characters; not a table this reads",
            AssertBadInput("train", "--data", fifo, "--target", "b"));
        Assert.True(writer.Wait(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_table_too_large_for_the_memory_limit_is_refused_before_reading()
    {
        var csv = Csv("t.csv", [.. new[] { "a,b" }.Concat(Enumerable.Range(0, 200).Select(i => $"{i},{i % 2}"))]);
        var line = AssertBadInput("train", "--data", csv, "--target", "b", "--memory-limit", "8K");
        Assert.Equal($"dendrite: --data: {csv} (1,094 bytes) needs about 8,752 bytes in memory to read, more than the 8,192 bytes allowed (--memory-limit sets the limit; --stream reads the rows from disk as needed)", line);
        // Streamed, the features never sit in memory: the same limit lets it train.
        var (code, _, err) = Run("train", "--data", csv, "--target", "b", "--memory-limit", "8K", "--stream", "--model", "dense(2),softmax", "--batch", "8", "--epochs", "1");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void A_stray_label_among_ten_classes_is_refused()
    {
        var dir = SmallData.TempDir();
        SmallData.Folder(dir, 40, 10, 3);
        var labels = Path.Combine(dir, "train-labels-idx1-ubyte");
        var bytes = File.ReadAllBytes(labels);
        bytes[^1] = 255;
        File.WriteAllBytes(labels, bytes);
        var line = AssertBadInput("train", "--data", dir, "--model", "dense(256),softmax", "--epochs", "1");
        Assert.StartsWith($"dendrite: {labels}: label 255, but only 5 distinct labels occur (the next highest is 3)", line);
    }

    [Fact]
    public void A_model_too_large_for_memory_is_refused_quickly_naming_the_layer()
    {
        var clock = Stopwatch.StartNew();
        var line = AssertBadInput("summary", "--model", "dense(100000000)");
        Assert.StartsWith("dendrite: --model: layer 2 dense(100000000) (78,500,000,000 weights, 100,000,000 outputs per sample) takes about 292.8 GiB", line);
        line = AssertBadInput("train", "--data", Data.Value, "--model", "dense(2500000),dense(4),softmax", "--memory-limit", "2G");
        Assert.StartsWith("dendrite: --model: layer 2 dense(2500000) (162,500,000 weights, 2,500,000 outputs per sample) takes about", line);
        Assert.EndsWith("more than the 2 GiB allowed (--memory-limit sets the limit)", line);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("--memory-limit: 'lots'", AssertBadInput("summary", "--model", "mlp", "--memory-limit", "lots"));
        var (code, _, err) = Run("summary", "--model", "mlp", "--memory-limit", "1G");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void A_model_holding_infinity_is_refused_by_eval_and_predict_json()
    {
        var model = Model();
        var saved = ModelFile.Load(model);
        saved.Net.Parameters[0].Value.Span[3] = float.PositiveInfinity;
        var bad = Temp("inf.safetensors");
        ModelFile.Save(bad, saved.Net, saved.Metadata);
        var line = AssertBadInput("eval", "--model", bad, "--data", Data.Value, "--json");
        Assert.Equal($"dendrite: {bad}: tensor '1.weight' holds Infinity at index 3; a model's values must be finite (the run that wrote it diverged)", line);
        AssertBadInput("predict", "--model", bad, "--json", "x.png");
    }

    [Fact]
    public void Resume_from_a_folder_of_damaged_checkpoints_says_so_in_one_line()
    {
        var dir = SmallData.TempDir();
        foreach (var name in new[] { "step-0000000010.safetensors", "step-0000000020.safetensors" })
            File.WriteAllBytes(Path.Combine(dir, name), [1, 2, 3]);
        var line = AssertBadInput("train", "--resume", dir);
        Assert.StartsWith($"dendrite: {dir}: no checkpoint could be read; newest problem: ", line);
    }

    [Fact]
    public void A_checkpoint_folder_in_use_names_the_process_and_a_stale_lock_is_taken_over()
    {
        var dir = SmallData.TempDir();
        // Process 1 (init) always runs.
        File.WriteAllText(Path.Combine(dir, CheckpointLock.FileName), "1");
        var line = AssertBadInput("train", "--data", Data.Value, "--model", Spec, "--epochs", "1", "--checkpoint", dir);
        Assert.StartsWith($"dendrite: --checkpoint: {dir}: in use by process 1, which is still training into it", line);
        Assert.Empty(Checkpoint.List(dir));
        // A lock left by a process that no longer runs (a kill -9) does not block the next run.
        File.WriteAllText(Path.Combine(dir, CheckpointLock.FileName), int.MaxValue.ToString(CultureInfo.InvariantCulture));
        File.SetLastWriteTimeUtc(Path.Combine(dir, CheckpointLock.FileName), DateTime.UtcNow.AddMinutes(-1));
        var (code, _, err) = Run("train", "--data", Data.Value, "--model", Spec, "--epochs", "1", "--checkpoint", dir);
        Assert.True(code == 0, err);
        Assert.Single(Checkpoint.List(dir));
        Assert.False(File.Exists(Path.Combine(dir, CheckpointLock.FileName)));
    }

    [Fact]
    public void Divergence_keeps_the_last_checkpoint_whose_loss_was_finite()
    {
        var dir = SmallData.TempDir();
        var line = AssertBadInput(false, "train", "--data", Data.Value, "--model", Spec, "--optimizer", "sgd", "--lr", "1e10",
            "--batch", "4", "--threads", "1", "--checkpoint", dir, "--checkpoint-every", "1");
        var kept = Assert.Single(Checkpoint.List(dir));
        Assert.Contains($"the last checkpoint whose weights gave a finite loss, {kept}, is kept (later ones renamed *.diverged)", line);
        Assert.NotEmpty(Directory.GetFiles(dir, "*.diverged"));
        // The kept one evaluates to a finite loss, and --json prints it.
        var (code, stdout, err) = Run("eval", "--model", kept, "--data", Data.Value, "--json");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("NaN", stdout);
    }
}
