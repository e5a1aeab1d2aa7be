using Dendrite.Visualization;
using SkiaSharp;

namespace Dendrite.Tests.Visualization;

/// <summary>Decision regions and fitted curves of models whose answer is known.</summary>
public class BoundaryPlotTests
{
    // Class 1 exactly where the first standardised feature is above 0: outputs (-s x1, s x1).
    private static (Sequential Net, ModelMetadata Meta) Vertical(float mean = 0, float std = 1, float steep = 1)
    {
        var net = new Sequential(new Dense(2)).Build([2]);
        float[] w = [-steep, 0, steep, 0];
        w.CopyTo(((Dense)net.Layers[0]).Weight.Value.Span);
        var meta = ModelMetadata.Describe(net, new SoftmaxCrossEntropy()) with { FeatureMean = [mean, 0], FeatureStd = [std, 1], FeatureNames = ["a", "b"] };
        return (net, meta);
    }

    [Fact]
    public void Classify_standardises_raw_points_as_in_training()
    {
        var (net, meta) = Vertical(mean: 1, std: 2);
        Assert.Equal([0, 0, 1, 1], BoundaryPlot.Classify(net, meta, [-3f, 0f, 0.5f, 9f, 1.5f, -9f, 7f, 0f]));
    }

    [Fact]
    public void Confidence_is_zero_on_the_boundary_and_grows_with_the_probability()
    {
        var (net, meta) = Vertical();
        // p(class 1) = sigmoid(2 x1): 0.5 at 0, 0.75 at ln(3) / 2, so confidence (p - 1/2) / (1/2) = 0 and 0.5.
        var (classes, confidence) = BoundaryPlot.PredictClasses(net, meta, [0f, 5f, MathF.Log(3) / 2, 0f, -MathF.Log(3) / 2, 1f]);
        Assert.Equal([0, 1, 0], classes);
        Assert.Equal(0f, confidence[0], 5);
        Assert.Equal(0.5f, confidence[1], 5);
        Assert.Equal(0.5f, confidence[2], 5);

        // Drawn: white along the boundary, full region colours far from it (a gentle slope: pale in between).
        var points = TestData.Random(new Rng(3), -1f, 1f, 40, 2).Span.ToArray();
        var labels = Enumerable.Range(0, 40).Select(i => points[2 * i] > 0 ? 1 : 0).ToArray();
        using var image = BoundaryPlot.RenderClassifier(net, meta, points, labels);
        var middle = SKRectI.Create(image.Width / 2 - 3, image.Height / 4, 6, image.Height / 3);
        Assert.True(Picture.CountNear(image, middle, SKColors.White, 8) > 300, "the boundary is not white");
        Assert.Equal(0, Picture.CountNear(image, middle, BoundaryPlot.RegionColour(0), 4) + Picture.CountNear(image, middle, BoundaryPlot.RegionColour(1), 4));
    }

    [Fact]
    public void Regions_fall_on_each_side_of_a_known_boundary_with_the_points_on_top()
    {
        var (net, meta) = Vertical(steep: 20); // sure a little way off the boundary
        var rng = new Rng(3);
        var points = TestData.Random(rng, -1f, 1f, 60, 2).Span.ToArray();
        var labels = Enumerable.Range(0, 60).Select(i => points[2 * i] > 0 ? 1 : 0).ToArray();
        using var image = BoundaryPlot.RenderClassifier(net, meta, points, labels);
        Assert.Equal((BoundaryPlot.Width, BoundaryPlot.Height), (image.Width, image.Height));
        // The plot spans roughly the middle 80% of the width: its left third is class 0's region, its right third class 1's.
        var left = SKRectI.Create(image.Width * 15 / 100, image.Height / 4, image.Width / 5, image.Height / 3);
        var right = SKRectI.Create(image.Width * 68 / 100, image.Height / 4, image.Width / 5, image.Height / 3);
        int leftOwn = Picture.CountNear(image, left, BoundaryPlot.RegionColour(0), 6), leftOther = Picture.CountNear(image, left, BoundaryPlot.RegionColour(1), 6);
        int rightOwn = Picture.CountNear(image, right, BoundaryPlot.RegionColour(1), 6), rightOther = Picture.CountNear(image, right, BoundaryPlot.RegionColour(0), 6);
        Assert.True(leftOwn > 3000 && leftOther == 0, $"left: {leftOwn} class-0 pixels, {leftOther} class-1");
        Assert.True(rightOwn > 3000 && rightOther == 0, $"right: {rightOwn} class-1 pixels, {rightOther} class-0");
        // The points are drawn in full colour over the regions.
        var all = SKRectI.Create(0, 0, image.Width, image.Height);
        Assert.True(Picture.CountNear(image, all, BoundaryPlot.ClassColour(0), 20) > 200);
        Assert.True(Picture.CountNear(image, all, BoundaryPlot.ClassColour(1), 20) > 200);
    }

    [Fact]
    public void A_regression_draws_its_curve_and_the_rbf_centres()
    {
        var net = new Sequential(new Dendrite.Rbf(3), new Dense(1)).Build([1], seed: 2);
        ((Dendrite.Rbf)net.Layers[0]).SetCentres([-1f, 0f, 1f], 1);
        var meta = ModelMetadata.Describe(net, new MeanSquaredError()) with { FeatureMean = [0], FeatureStd = [1] };
        float[] xs = [.. Enumerable.Range(0, 40).Select(i => -2f + i / 10f)];
        float[] ys = [.. xs.Select(x => MathF.Sin(x))];
        using var image = BoundaryPlot.RenderRegression(net, meta, xs, ys);
        var all = SKRectI.Create(0, 0, image.Width, image.Height);
        Assert.True(Picture.CountNear(image, all, BoundaryPlot.ClassColour(1), 20) > 500, "no curve");
        Assert.True(Picture.CountNear(image, all, BoundaryPlot.ClassColour(3), 20) > 60, "no centre marks");
        Assert.True(Picture.CountNear(image, all, BoundaryPlot.ClassColour(0), 20) > 200, "no points");
        Assert.Throws<ArgumentException>(() => BoundaryPlot.RenderRegression(Vertical().Net, meta, xs, ys));
    }

    [Fact]
    public void Feature_statistics_survive_a_model_file()
    {
        var (net, meta) = Vertical(mean: 1.5f, std: 0.25f);
        var path = Path.Combine(Dendrite.Tests.IO.SmallData.TempDir(), "table.safetensors");
        ModelFile.Save(path, net, meta);
        var loaded = ModelFile.Load(path).Metadata;
        Assert.Equal([1.5f, 0f], loaded.FeatureMean!);
        Assert.Equal([0.25f, 1f], loaded.FeatureStd!);
        Assert.Equal(["a", "b"], loaded.FeatureNames!);
    }
}
