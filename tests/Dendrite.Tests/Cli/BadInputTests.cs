namespace Dendrite.Tests.Cli;

/// <summary>Every kind of bad input: exit code 2, one line on stderr naming the option or file, no stack trace.</summary>
[Collection(ConsoleCollection.Name)]
public class BadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public BadInputTests() => _dir.WriteImageSet(20, 10);

    public void Dispose() => _dir.Dispose();

    private CliResult Train(params string[] extra) =>
        Cli.Run(["train", "--data", _dir.Path, "--epochs", "1", "--threads", "1", .. extra, .. extra.Contains("--model") ? [] : new[] { "--model", "dense(16),relu,dense(10),softmax" }]);

    [Theory]
    [InlineData("--epochs", "many")]
    [InlineData("--epochs", "0")]
    [InlineData("--epochs", "-3")]
    [InlineData("--epochs", "2.5")]
    [InlineData("--lr", "-1")]
    [InlineData("--lr", "0")]
    [InlineData("--lr", "abc")]
    [InlineData("--lr", "NaN")]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "lots")]
    [InlineData("--threads", "0")]
    [InlineData("--momentum", "1")]
    [InlineData("--weight-decay", "-0.1")]
    [InlineData("--seed", "-1")]
    [InlineData("--train-limit", "0")]
    public void Out_of_range_or_non_numeric_option(string option, string value)
    {
        Cli.AssertBadInput(Train(option, value), option);
    }

    [Theory]
    [InlineData("--optimizer", "adagrad")]
    [InlineData("--schedule", "linear")]
    [InlineData("--loss", "hinge")]
    public void Unknown_choice_names_option_and_value(string option, string value)
    {
        Cli.AssertBadInput(Train(option, value), option, value);
    }

    [Fact]
    public void Unknown_option()
    {
        Cli.AssertBadInput(Train("--epocs", "3"), "--epocs");
    }

    [Fact]
    public void Unknown_command()
    {
        Cli.AssertBadInput(Cli.Run("fly"), "fly");
    }

    [Fact]
    public void Unknown_layer_in_a_spec()
    {
        Cli.AssertBadInput(Train("--model", "dense(64),swish,dense(10)"), "spec item 2 'swish'", "unknown layer");
    }

    [Fact]
    public void Spec_whose_output_does_not_match_the_classes()
    {
        Cli.AssertBadInput(Train("--model", "dense(5)"), "[5]", "10 outputs");
    }

    [Fact]
    public void Missing_data_directory()
    {
        string missing = _dir.File("nowhere");
        Cli.AssertBadInput(Cli.Run("train", "--data", missing, "--epochs", "1"), "--data", missing);
    }

    [Fact]
    public void Missing_file_in_the_data_directory()
    {
        File.Delete(_dir.File("train-labels-idx1-ubyte"));
        Cli.AssertBadInput(Train(), _dir.File("train-labels-idx1-ubyte"));
    }

    [Fact]
    public void Truncated_image_file()
    {
        string path = _dir.File("train-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^100]);
        Cli.AssertBadInput(Train(), path);
    }

    [Fact]
    public void Truncated_gzip_image_file()
    {
        string path = _dir.File("train-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        string gz = _dir.Write("train-images-idx3-ubyte.gz", bytes[..^100]);
        Cli.AssertBadInput(Train(), gz, "truncated");
    }

    [Fact]
    public void Header_claiming_more_images_than_the_file_holds()
    {
        string path = _dir.File("t10k-images-idx3-ubyte");
        _dir.Write("t10k-images-idx3-ubyte", TempDirectory.Idx(0x803, [60_000_000, 28, 28], new byte[784]));
        Cli.AssertBadInput(Train(), path, "header claims");
    }

    [Fact]
    public void Wrong_magic_in_the_label_file()
    {
        string path = _dir.File("t10k-labels-idx1-ubyte");
        _dir.Write("t10k-labels-idx1-ubyte", TempDirectory.Idx(0x803, [10], new byte[10]));
        Cli.AssertBadInput(Train(), path, "magic");
    }

    [Fact]
    public void Label_count_mismatch()
    {
        string path = _dir.File("train-labels-idx1-ubyte");
        _dir.Write("train-labels-idx1-ubyte", TempDirectory.Idx(0x801, [19], new byte[19]));
        Cli.AssertBadInput(Train(), path, "19 labels for 20 images");
    }

    [Fact]
    public void Metrics_file_in_a_missing_directory()
    {
        string path = Path.Combine(_dir.Path, "no", "such", "dir", "m.jsonl");
        Cli.AssertBadInput(Train("--metrics", path), "--metrics", path);
    }

    [Fact]
    public void Metrics_path_that_is_a_directory()
    {
        Cli.AssertBadInput(Train("--metrics", _dir.Path), "--metrics", _dir.Path);
    }

    [Fact]
    public void A_learning_rate_that_makes_training_diverge()
    {
        Cli.AssertBadInput(Train("--optimizer", "sgd", "--lr", "1e30", "--batch", "4"), "--lr");
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("gradcheck")]
    public void Other_commands_reject_a_bad_spec(string command)
    {
        Cli.AssertBadInput(Cli.Run(command, "--model", "dense(10"), "unclosed '('");
    }

    [Theory]
    [InlineData("summary", "--input", "0x28")]
    [InlineData("summary", "--classes", "0")]
    [InlineData("gradcheck", "--batch", "0")]
    [InlineData("gradcheck", "--tolerance", "-1")]
    public void Other_commands_reject_bad_options(string command, string option, string value)
    {
        Cli.AssertBadInput(Cli.Run(command, "--model", "perceptron", option, value), option);
    }
}
