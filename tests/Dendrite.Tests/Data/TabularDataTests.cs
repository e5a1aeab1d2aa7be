namespace Dendrite.Tests.Data;

public class TabularDataTests
{
    private static CsvTable Parse(string text) => CsvTable.Parse(new StringReader(text), "t.csv");

    [Fact]
    public void A_non_numeric_feature_names_the_line_and_column()
    {
        var e = Assert.Throws<InvalidDataException>(() => TabularData.From(Parse("x,w,y\n1,2,3\n4,abc,6\n7,8,9\n"), "y"));
        Assert.Equal("t.csv: line 3: column 'w' 'abc' is not a number; a feature must be a number (categorical features are not supported)", e.Message);
        var empty = Assert.Throws<InvalidDataException>(() => TabularData.From(Parse("x,y\n1,2\n,3\n"), "y"));
        Assert.StartsWith("t.csv: line 3: column 'x' is empty", empty.Message);
    }

    [Fact]
    public void A_non_numeric_regression_target_names_the_line()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            TabularData.From(Parse("x,y\n1,2\n2,3\n3,n/a\n"), "y", TabularTask.Regression, 0));
        Assert.Equal("t.csv: line 4: column 'y' 'n/a' is not a number; a regression target must be a number", e.Message);
    }

    [Fact]
    public void Standardisation_uses_the_training_rows_only()
    {
        // Ten rows; whichever two are held out, the training features have mean 0 and standard deviation 1 exactly,
        // and the stored mean is that of the training rows, not of all ten.
        var text = "x,y\n" + string.Join("\n", Enumerable.Range(0, 10).Select(i => $"{i * i},{i}")) + "\n";
        var data = TabularData.From(Parse(text), "y", TabularTask.Regression, 0.2, seed: 3);
        Assert.Equal(8, data.Train.Count);
        Assert.Equal(2, data.Test!.Count);
        var f = data.Train.Features;
        Assert.Equal(0, f.Average(), 5);
        Assert.Equal(1, Math.Sqrt(f.Average(v => v * v)), 5);
        var trainX = data.Train.Targets!.Select(y => y * y).ToArray(); // x = y^2, y untouched
        Assert.Equal(trainX.Average(), data.Mean[0], 3);
        float allMean = (float)Enumerable.Range(0, 10).Average(i => i * i);
        Assert.NotEqual(allMean, data.Mean[0], 3);
        // Test rows use the same transform.
        for (int i = 0; i < 2; i++)
        {
            float y = data.Test.Targets![i];
            Assert.Equal((y * y - data.Mean[0]) / data.Std[0], data.Test.Features[i], 4);
        }
    }

    [Fact]
    public void The_split_is_seeded_and_disjoint()
    {
        var text = "x,y\n" + string.Join("\n", Enumerable.Range(0, 20).Select(i => $"{i},{i}.5")) + "\n";
        var a = TabularData.From(Parse(text), "y", TabularTask.Regression, 0.25, seed: 7);
        var b = TabularData.From(Parse(text), "y", TabularTask.Regression, 0.25, seed: 7);
        var c = TabularData.From(Parse(text), "y", TabularTask.Regression, 0.25, seed: 8);
        Assert.Equal(a.Test!.Targets, b.Test!.Targets);
        Assert.NotEqual(a.Test.Targets, c.Test!.Targets);
        Assert.Equal(5, a.Test.Count);
        Assert.Empty(a.Train.Targets!.Intersect(a.Test.Targets!));
        Assert.Equal(20, a.Train.Targets!.Union(a.Test.Targets!).Count());
    }

    [Fact]
    public void Classes_come_from_the_distinct_target_values()
    {
        var words = TabularData.From(Parse("x,kind\n1,dog\n2,cat\n3,dog\n4,emu\n"), "kind", testFraction: 0);
        Assert.Equal(TabularTask.Classification, words.Task);
        Assert.Equal(["cat", "dog", "emu"], words.Train.ClassNames!);
        Assert.Equal([1, 0, 1, 2], words.Train.Labels);
        Assert.Null(words.Test);

        var numbers = TabularData.From(Parse("x,c\n1,10\n2,2\n3,1.0\n4,2.0\n"), "c", TabularTask.Classification, 0);
        Assert.Equal(["1", "2", "10"], numbers.Train.ClassNames!);
        Assert.Equal([2, 1, 0, 1], numbers.Train.Labels);
    }

    [Fact]
    public void The_task_is_guessed_from_the_target()
    {
        Assert.Equal(TabularTask.Classification, TabularData.Guess(["a", "1", "2"]));
        Assert.Equal(TabularTask.Classification, TabularData.Guess(["0", "1", "1", "0"]));
        Assert.Equal(TabularTask.Regression, TabularData.Guess(["0.5", "1", "2"]));
        Assert.Equal(TabularTask.Regression, TabularData.Guess(Enumerable.Range(0, 11).Select(i => i.ToString()).ToArray()));
    }
}
