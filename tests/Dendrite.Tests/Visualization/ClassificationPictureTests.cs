using Dendrite.Visualization;
using SkiaSharp;

namespace Dendrite.Tests.Visualization;

/// <summary>Confusion matrix and confident mistakes on a network whose predictions are known: y = softmax(x), 3 classes.</summary>
public class ClassificationPictureTests
{
    private static readonly string[] Names = ["cat", "dog", "bird"];

    private static (Sequential Net, Dataset Data) Known()
    {
        var net = new Sequential(new Dense(3), new Softmax()).Build([3]);
        var w = ((Dense)net.Layers[0]).Weight.Value.Span;
        w.Clear();
        w[0] = w[4] = w[8] = 1f; // identity: the prediction is the largest feature
        float[] x =
        [
            1, 0, 0,  // label 0, predicted 0
            0, 1, 0,  // label 1, predicted 1
            0, 1, 0,  // label 0, predicted 1 (p = e / (e + 2) = 0.576)
            0, 0, 1,  // label 2, predicted 2
            5, 0, 0,  // label 2, predicted 0 (p = e^5 / (e^5 + 2) = 0.987)
        ];
        return (net, new Dataset(x, [3], [0, 1, 0, 2, 2], 3, Names));
    }

    [Fact]
    public void Counts_and_per_class_accuracy_match_the_known_predictions()
    {
        var (net, data) = Known();
        var m = ConfusionMatrix.From(Predictions.Compute(net, data, batchSize: 2));
        int[,] expected = { { 1, 1, 0 }, { 0, 1, 0 }, { 1, 0, 1 } };
        Assert.Equal(expected, m.Counts);
        Assert.Equal([0.5f, 1f, 0.5f], Enumerable.Range(0, 3).Select(m.ClassAccuracy));
        Assert.Equal(0.6f, m.Accuracy);
        var text = m.ToText();
        Assert.Contains("0 cat", text);
        Assert.Contains("50.00%  (1 of 2)", text);
        Assert.Contains("60.00%  (3 of 5)", text);
    }

    [Fact]
    public void Mistakes_come_most_confident_first()
    {
        var (net, data) = Known();
        var mistakes = ConfidentMistakes.Find(Predictions.Compute(net, data), 10);
        Assert.Equal([4, 2], mistakes.Select(m => m.Index));
        Assert.Equal((2, 0), (mistakes[0].Label, mistakes[0].Predicted));
        Assert.Equal(MathF.Exp(5) / (MathF.Exp(5) + 2), mistakes[0].Confidence, 5);
        Assert.Equal(MathF.E / (MathF.E + 2), mistakes[1].Confidence, 5);
        Assert.Single(ConfidentMistakes.Find(Predictions.Compute(net, data), 1));
    }

    [Fact]
    public void Confusion_picture_colours_each_cell_by_its_share_of_the_row()
    {
        var (net, data) = Known();
        var m = ConfusionMatrix.From(Predictions.Compute(net, data));
        using var image = m.Render();
        Picture.AssertHasContent(image, 20);
        // Find the grid: the top-left cell is the first pixel of row 0's colour (share 1/2) on the row through its middle.
        var half = Drawing.Viridis(MathF.Sqrt(0.5f));
        var none = Drawing.Viridis(0f);
        var full = Drawing.Viridis(1f);
        int y = FindRow(image, half);
        int left = FindColumn(image, y, half);
        Picture.AssertPixel(image, left + 2, y, half);                                     // [cat, cat]: 1 of 2
        Picture.AssertPixel(image, left + ConfusionMatrix.Cell + 2, y, half);              // [cat, dog]: 1 of 2
        Picture.AssertPixel(image, left + 2 * ConfusionMatrix.Cell + 2, y, none);          // [cat, bird]: 0
        Picture.AssertPixel(image, left + ConfusionMatrix.Cell + 2, y + ConfusionMatrix.Cell, full); // [dog, dog]: 1 of 1
    }

    [Fact]
    public void Mistake_gallery_shows_the_images()
    {
        var data = Synthetic.Dataset(40, 3);
        var mistakes = new[] { new Mistake(0, data.Labels[0], (data.Labels[0] + 1) % 10, 0.9f), new Mistake(5, data.Labels[5], 0, 0.8f) };
        using var image = ConfidentMistakes.Render(data, mistakes);
        Picture.AssertHasContent(image, 30);
        // The first image's brightest band is drawn 3x: its top-left pixel at (x0, 8) is the sample's pixel (0, 0) in grey.
        int x0 = ConfidentMistakes.Gap + (128 - 28 * ConfidentMistakes.TileScale) / 2;
        byte v = (byte)MathF.Round(data.Sample(0)[0] * 255f);
        Picture.AssertPixel(image, x0, ConfidentMistakes.Gap, new SKColor(v, v, v));
    }

    [Fact]
    public void Mistake_gallery_draws_normalised_images_as_their_original_pixels()
    {
        var data = Synthetic.Dataset(40, 3);
        var mistakes = new[] { new Mistake(0, data.Labels[0], (data.Labels[0] + 1) % 10, 0.9f), new Mistake(5, data.Labels[5], 0, 0.8f) };
        using var original = ConfidentMistakes.Render(data, mistakes);
        var n = new Normalization(0.3f, 0.4f);
        var features = (float[])data.Features.Clone();
        n.Apply(features);
        var normalised = new Dataset(features, data.SampleShape, data.Labels, data.Classes, data.ClassNames);
        using var drawn = ConfidentMistakes.Render(normalised, mistakes, n);
        int differing = 0;
        for (int y = 0; y < original.Height; y++)
            for (int x = 0; x < original.Width; x++)
            {
                SKColor a = original.GetPixel(x, y), b = drawn.GetPixel(x, y);
                if (Math.Abs(a.Red - b.Red) > 1 || Math.Abs(a.Green - b.Green) > 1 || Math.Abs(a.Blue - b.Blue) > 1) differing++;
            }
        Assert.Equal(0, differing);
        using var naive = ConfidentMistakes.Render(normalised, mistakes); // without undoing it the picture changes
        Assert.NotEqual(original.GetPixel(ConfidentMistakes.Gap + (128 - 28 * ConfidentMistakes.TileScale) / 2, ConfidentMistakes.Gap),
            naive.GetPixel(ConfidentMistakes.Gap + (128 - 28 * ConfidentMistakes.TileScale) / 2, ConfidentMistakes.Gap));
    }

    private static int FindRow(SKBitmap b, SKColor c)
    {
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
                if (b.GetPixel(x, y) == c) return y + 10;
        throw new Xunit.Sdk.XunitException($"colour {c} not found");
    }

    private static int FindColumn(SKBitmap b, int y, SKColor c)
    {
        for (int x = 0; x < b.Width; x++)
            if (b.GetPixel(x, y) == c) return x;
        throw new Xunit.Sdk.XunitException($"colour {c} not found on row {y}");
    }
}
