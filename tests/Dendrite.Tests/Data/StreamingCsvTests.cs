using System.Globalization;
using System.Text;
using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Data;

/// <summary>CSV tables streamed from a temporary feature file against the same tables loaded, bit for bit.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class StreamingCsvTests
{
    // A header, three features of different scales, a class column and a value column; a quoted field with a comma.
    private static string Table(int rows, ulong seed)
    {
        var rng = new Rng(seed);
        var text = new StringBuilder("\"first, a\",second,third,kind,value\n");
        for (int i = 0; i < rows; i++)
        {
            float a = rng.NextFloat(), b = 100 * rng.NextFloat(), c = rng.NextGaussian();
            text.Append(CultureInfo.InvariantCulture, $"{a},{b},{c},{(a + c > 0.5 ? 1 : 0)},{3 * a - c}\n");
        }
        string path = Path.Combine(SmallData.TempDir(), "t.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static void AssertSame(Dataset loaded, Dataset streamed)
    {
        Assert.True(streamed.IsStreamed);
        Assert.Equal(loaded.Count, streamed.Count);
        Assert.Equal(loaded.Labels, streamed.Labels);
        Assert.Equal(loaded.Targets, streamed.Targets);
        Assert.Equal(loaded.ClassNames, streamed.ClassNames);
        TestData.AssertSameSamples(loaded, streamed);
    }

    [Theory]
    [InlineData("kind")]
    [InlineData("value")]
    public void A_streamed_table_has_the_split_statistics_and_values_of_a_loaded_one(string target)
    {
        string path = Table(150, 3);
        var loaded = TabularData.Load(path, target, testFraction: 0.3, seed: 7);
        var streamed = TabularData.Open(path, target, testFraction: 0.3, seed: 7);
        Assert.Equal(loaded.Task, streamed.Task);
        Assert.Equal(loaded.FeatureNames, streamed.FeatureNames);
        Assert.Equal(["first, a", "second", "third"], streamed.FeatureNames[..3]);
        Assert.Equal(TestData.Bits(loaded.Mean), TestData.Bits(streamed.Mean));
        Assert.Equal(TestData.Bits(loaded.Std), TestData.Bits(streamed.Std));
        AssertSame(loaded.Train, streamed.Train);
        AssertSame(loaded.Test!, streamed.Test!);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"dendrite-{Environment.ProcessId}-*.csv.f32"));
    }

    [Fact]
    public void A_bad_cell_is_refused_while_streaming_naming_the_file_and_line()
    {
        string path = Table(20, 4);
        var lines = File.ReadAllLines(path);
        lines[12] = "0.5,x,1,0,2";
        File.WriteAllLines(path, lines);
        var a = Assert.Throws<InvalidDataException>(() => TabularData.Load(path, "kind"));
        var b = Assert.Throws<InvalidDataException>(() => TabularData.Open(path, "kind"));
        Assert.Equal(a.Message, b.Message);
        Assert.StartsWith($"{path}: line 13: column 'second' 'x' is not a number", b.Message);
        lines[12] = "0.5,1,2";
        File.WriteAllLines(path, lines);
        Assert.Equal(Assert.Throws<InvalidDataException>(() => TabularData.Load(path, "kind")).Message,
            Assert.Throws<InvalidDataException>(() => TabularData.Open(path, "kind")).Message);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"dendrite-{Environment.ProcessId}-*.csv.f32"));
    }

    [Fact]
    public void Train_with_stream_on_a_table_prints_what_training_it_in_memory_prints()
    {
        string path = Table(300, 5);
        string[] args = ["train", "--data", path, "--target", "value", "--model", "dense(8),relu,dense(1)", "--epochs", "3", "--seed", "2"];
        var (code, loaded, err) = Run(args);
        Assert.True(code == 0, err);
        (code, var streamed, err) = Run([.. args, "--stream"]);
        Assert.True(code == 0, err);
        static string Results(string s) => System.Text.RegularExpressions.Regex.Replace(s, @"\s+[\d,]+ samples/s\s+[\d.]+ s", "");
        Assert.Contains("epoch 3/3", streamed);
        Assert.Equal(Results(loaded), Results(streamed));
    }
}
