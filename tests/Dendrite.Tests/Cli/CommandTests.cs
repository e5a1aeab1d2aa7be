using System.Text.Json;

namespace Dendrite.Tests.Cli;

/// <summary>The commands doing their job: a short real training run, the summary table, gradcheck's verdicts.</summary>
[Collection(ConsoleCollection.Name)]
public class CommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Train_writes_one_metrics_line_per_epoch_and_learns()
    {
        _dir.WriteImageSet(200, 100, ".gz");
        string metrics = _dir.File("metrics.jsonl");
        var r = Cli.Run("train", "--data", _dir.Path, "--model", "mlp", "--epochs", "2", "--batch", "16", "--threads", "2", "--metrics", metrics);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Error);
        Assert.Contains("235,146 parameters", r.Out);
        Assert.Contains("epoch 2/2", r.Out);

        var lines = File.ReadAllLines(metrics);
        Assert.Equal(2, lines.Length);
        for (int i = 0; i < 2; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var o = json.RootElement;
            foreach (var key in new[] { "epoch", "train_loss", "test_loss", "test_accuracy", "train_samples_per_sec", "seconds" })
                Assert.True(o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number, $"line {i + 1} lacks numeric {key}: {lines[i]}");
            Assert.Equal(i + 1, o.GetProperty("epoch").GetInt32());
            Assert.InRange(o.GetProperty("test_accuracy").GetDouble(), 0, 1);
            Assert.True(o.GetProperty("train_samples_per_sec").GetDouble() > 0);
            Assert.True(o.GetProperty("train_loss").GetDouble() > 0);
        }
        using var last = JsonDocument.Parse(lines[1]);
        double accuracy = last.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.5, $"test accuracy {accuracy} after 2 epochs on an easy pattern (chance 0.1)");
        Assert.Contains($"test accuracy: {accuracy:F4}", r.Out);
    }

    /// <summary>Issue 3: lenet5 trains on any IDX set of 28x28 grey images with 10 classes, here a synthetic one (not Fashion-MNIST).</summary>
    [Fact]
    public void Lenet5_trains_on_a_synthetic_idx_set()
    {
        _dir.WriteImageSet(300, 100, seed: 5);
        var r = Cli.Run("train", "--data", _dir.Path, "--model", "lenet5", "--epochs", "3", "--batch", "16", "--lr", "0.003");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("61,706 parameters", r.Out);
        double accuracy = double.Parse(r.Out.Split("test accuracy: ")[1][..6], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.5, $"lenet5 test accuracy {accuracy} after 3 epochs on an easy pattern (chance 0.1)\n{r.Out}");
    }

    [Fact]
    public void Summary_of_the_mlp_prints_each_layer_and_the_total()
    {
        var r = Cli.Run("summary", "--model", "mlp");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("235,146", r.Out);
        Assert.Contains("200,960", r.Out);   // dense(256): 784 * 256 + 256 parameters
        Assert.Contains("[256]", r.Out);
        Assert.Contains("dense(128)", r.Out);
        Assert.Contains("234,752", r.Out);  // multiply-adds: 784*256 + 256*128 + 128*10
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void Summary_compares_dense_local_and_conv_on_the_same_input()
    {
        var r = Cli.Run("summary", "--input", "3x32x32", "--model", "dense(6272)", "--model", "local(8,5)", "--model", "conv(8,5)");
        Assert.True(r.ExitCode == 0, r.ToString());
        var comparison = r.Out[r.Out.LastIndexOf("model", StringComparison.Ordinal)..];
        Assert.Contains("19,273,856", comparison); // 6,272 * (3,072 + 1)
        Assert.Contains("476,672", comparison);    // 28 * 28 * 8 * (75 + 1)
        Assert.Contains("608", comparison);        // 8 * (75 + 1)
        Assert.Contains("[8, 28, 28]", comparison);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void Gradcheck_passes_on_the_mlp()
    {
        var r = Cli.Run("gradcheck", "--model", "mlp");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("gradcheck passed", r.Out);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void Gradcheck_fails_on_the_straight_through_estimator()
    {
        var r = Cli.Run("gradcheck", "--model", "dense(32),step(ste),dense(10)");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("gradcheck FAILED", r.Out);
        Assert.Contains("FAIL", r.Out);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void Gradcheck_passes_through_a_plain_step()
    {
        // Zero analytic, zero numeric (kinks skipped): consistent, if useless for learning.
        var r = Cli.Run("gradcheck", "--model", "dense(32),step,dense(10)");
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
