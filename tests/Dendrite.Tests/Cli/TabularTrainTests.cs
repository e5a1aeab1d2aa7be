using System.Text.Json;
using Dendrite.Cli;

namespace Dendrite.Tests.Cli;

[CollectionDefinition("rbf console", DisableParallelization = true)]
public class RbfConsoleCollection;

/// <summary>dendrite make-data and dendrite train on CSV tables, run in-process through App.Run.</summary>
[Collection("rbf console")]
public sealed class TabularTrainTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dendrite-tabular-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => System.IO.Path.Combine(_dir, name);

    /// <summary>Runs the CLI and returns its exit code and stderr (stdout is discarded).</summary>
    private static (int Code, string Error) Run(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        var error = new StringWriter();
        Console.SetOut(TextWriter.Null);
        Console.SetError(error);
        try
        {
            return (App.Run(args), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    private static List<JsonElement> Metrics(string path) =>
        [.. File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement)];

    [Fact]
    public void Regression_with_the_rbf_preset_writes_mse_mae_and_r2_per_epoch()
    {
        string csv = PathOf("sine.csv"), metrics = PathOf("m.jsonl");
        Assert.Equal(0, Run("make-data", "sine1d", "--out", csv, "--samples", "150").Code);
        var (code, error) = Run("train", "--data", csv, "--target", "y", "--task", "regression", "--model", "rbf",
            "--epochs", "3", "--lr", "0.01", "--metrics", metrics);
        Assert.True(code == 0, error);
        var lines = Metrics(metrics);
        Assert.Equal(3, lines.Count);
        foreach (var m in lines)
        {
            double mse = m.GetProperty("test_mse").GetDouble(), mae = m.GetProperty("test_mae").GetDouble();
            Assert.InRange(mse, 1e-6, 10);
            Assert.InRange(mae, 1e-4, 10);
            Assert.True(mae * mae <= mse + 1e-9, "mae^2 <= mse");
            Assert.True(m.GetProperty("test_r2").GetDouble() < 1);
        }
        Assert.True(lines[^1].GetProperty("test_mse").GetDouble() < lines[0].GetProperty("test_mse").GetDouble());
    }

    [Fact]
    public void Two_phase_fit_of_the_rbf_preset_nearly_reproduces_the_sine()
    {
        string csv = PathOf("sine.csv"), metrics = PathOf("m.jsonl");
        Run("make-data", "sine1d", "--out", csv, "--samples", "200");
        var (code, error) = Run("train", "--data", csv, "--target", "y", "--model", "rbf", "--fit", "two-phase", "--metrics", metrics);
        Assert.True(code == 0, error);
        var m = Assert.Single(Metrics(metrics));
        Assert.True(m.GetProperty("test_r2").GetDouble() > 0.99, m.ToString());
    }

    [Fact]
    public void Classification_on_a_table_reports_test_accuracy()
    {
        string csv = PathOf("xor.csv"), metrics = PathOf("m.jsonl");
        Run("make-data", "xor", "--out", csv, "--samples", "300");
        var (code, error) = Run("train", "--data", csv, "--target", "label", "--model", "rbf(16),dense(2),softmax", "--fit", "two-phase", "--metrics", metrics);
        Assert.True(code == 0, error);
        var m = Assert.Single(Metrics(metrics));
        Assert.True(m.GetProperty("test_accuracy").GetDouble() > 0.9, m.ToString());
        Assert.False(m.TryGetProperty("test_mse", out _));
    }

    [Fact]
    public void A_ragged_row_ends_with_one_line_naming_the_file_and_line_and_exit_2()
    {
        string csv = PathOf("bad.csv");
        File.WriteAllText(csv, "x,y\n1,2\n3\n");
        var (code, error) = Run("train", "--data", csv, "--target", "y");
        Assert.Equal(2, code);
        Assert.Equal($"dendrite: {csv}: line 3: 1 values, expected 2 as on line 1", error.TrimEnd());
    }

    [Theory]
    [InlineData("two-phase fitting needs a model of the form", "--fit", "two-phase", "--model", "dense(8),tanh,dense(1)")]
    [InlineData("--task: 'clustering' is not one of classification, regression", "--task", "clustering")]
    [InlineData("--test-fraction: must be in [0, 1), got 1", "--test-fraction", "1")]
    [InlineData("--model mlp: ends in softmax", "--task", "regression", "--model", "mlp")]
    [InlineData("--fit: 'sgd' is not one of backprop, two-phase", "--fit", "sgd")]
    public void Bad_combinations_exit_2_with_one_line(string expected, params string[] extra)
    {
        string csv = PathOf("sine.csv");
        Run("make-data", "sine1d", "--out", csv, "--samples", "50");
        var (code, error) = Run(["train", "--data", csv, "--target", "y", "--epochs", "1", .. extra]);
        Assert.Equal(2, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Target_without_a_table_is_refused()
    {
        var (code, error) = Run("train", "--data", _dir, "--target", "y");
        Assert.Equal(2, code);
        Assert.Contains("--target and --task are for CSV data", error);
    }

    [Fact]
    public void Plot_draws_a_metric_of_metrics_files_and_names_a_missing_one()
    {
        string metrics = PathOf("m.jsonl"), png = PathOf("f.png");
        File.WriteAllLines(metrics, [
            """{"epoch":1,"seconds":0.5,"test_mse":0.1}""",
            """{"epoch":2,"seconds":0.5,"test_mse":0.01}""",
        ]);
        var (code, error) = Run("plot", $"{metrics}=run", "--out", png, "--x", "seconds", "--log-y");
        Assert.True(code == 0, error);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        (code, error) = Run("plot", metrics, "--out", png, "--y", "test_r2");
        Assert.Equal(2, code);
        Assert.Equal($"dendrite: {metrics}: line 1: no 'test_r2'; it has epoch, seconds, test_mse", error.TrimEnd());
    }
}
