using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>eval --confusion and --confusion-png: the confusion matrix with per-class accuracy, as text and as a picture.</summary>
public static class ConfusionReport
{
    public static void Write(Sequential net, Dataset test, bool text, string? png)
    {
        if (!test.IsClassification) throw new UsageException("--confusion: the model is a regression model; a confusion matrix needs classes");
        var matrix = ConfusionMatrix.From(Predictions.Compute(net, test));
        if (text)
        {
            Console.WriteLine();
            Console.Write(matrix.ToText());
        }
        if (png is null) return;
        using var image = matrix.Render();
        Png.Save(image, png);
        Console.WriteLine($"{png}: confusion matrix, {image.Width} x {image.Height} pixels");
    }
}
