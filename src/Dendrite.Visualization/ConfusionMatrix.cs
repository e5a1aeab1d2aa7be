using System.Text;
using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// Counts[true class, predicted class] over a labelled data set; the diagonal is what the network got right.
/// Per-class accuracy is a row's diagonal over the row's total (recall).
/// </summary>
public sealed class ConfusionMatrix
{
    /// <param name="counts">[true class, predicted class] counts, K x K; kept, not copied.</param>
    /// <param name="names">One name per class; the class numbers when null.</param>
    /// <exception cref="ArgumentException"><paramref name="counts"/> is not square, or <paramref name="names"/> does not have K entries.</exception>
    public ConfusionMatrix(int[,] counts, IReadOnlyList<string>? names = null)
    {
        int k = counts.GetLength(0);
        if (counts.GetLength(1) != k) throw new ArgumentException($"a confusion matrix is square, got {k} x {counts.GetLength(1)}");
        if (names is not null && names.Count != k) throw new ArgumentException($"{names.Count} class names for {k} classes");
        Counts = counts;
        Names = names ?? [.. Enumerable.Range(0, k).Select(i => i.ToString())];
    }

    /// <summary>Counts[i, j]: samples of true class i predicted as class j.</summary>
    public int[,] Counts { get; }

    /// <summary>One name per class ("0", "1", ... when none were given).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of classes K.</summary>
    public int Classes => Counts.GetLength(0);

    /// <summary>All samples counted.</summary>
    public int Total => Enumerable.Range(0, Classes).Sum(RowTotal);

    /// <summary>Samples on the diagonal: predicted as their true class.</summary>
    public int Correct => Enumerable.Range(0, Classes).Sum(i => Counts[i, i]);

    /// <summary><see cref="Correct"/> / <see cref="Total"/>; NaN when nothing was counted.</summary>
    public float Accuracy => Total == 0 ? float.NaN : (float)Correct / Total;

    /// <summary>Samples whose true class is <paramref name="label"/>.</summary>
    public int RowTotal(int label) => Enumerable.Range(0, Classes).Sum(j => Counts[label, j]);

    /// <summary>Fraction of class <paramref name="label"/>'s samples predicted as that class; NaN when it has none.</summary>
    public float ClassAccuracy(int label) => RowTotal(label) is var n && n > 0 ? (float)Counts[label, label] / n : float.NaN;

    /// <summary>Counts each sample's label against its most probable class; names from the data set's class names.</summary>
    /// <exception cref="ArgumentException">The data set has class names, but not one per class.</exception>
    public static ConfusionMatrix From(Predictions p)
    {
        var counts = new int[p.Classes, p.Classes];
        for (int i = 0; i < p.Data.Count; i++) counts[p.Data.Labels[i], p.Predicted(i)]++;
        return new ConfusionMatrix(counts, p.Data.ClassNames);
    }

    /// <summary>The matrix with aligned columns, then each class's accuracy.</summary>
    public string ToText()
    {
        int nameWidth = Math.Max(Names.Max(n => n.Length), "true \\ predicted".Length);
        int cell = Math.Max(5, Enumerable.Range(0, Classes).Max(i => RowTotal(i)).ToString().Length + 1);
        var sb = new StringBuilder();
        sb.Append("true \\ predicted".PadRight(nameWidth));
        for (int j = 0; j < Classes; j++) sb.Append(j.ToString().PadLeft(cell));
        sb.AppendLine();
        for (int i = 0; i < Classes; i++)
        {
            sb.Append($"{i} {Names[i]}".PadRight(nameWidth));
            for (int j = 0; j < Classes; j++) sb.Append(Counts[i, j].ToString().PadLeft(cell));
            sb.AppendLine();
        }
        sb.AppendLine();
        sb.AppendLine("per-class accuracy:");
        for (int i = 0; i < Classes; i++)
            sb.AppendLine($"  {i} {Names[i].PadRight(nameWidth)} {ClassAccuracy(i) * 100,6:F2}%  ({Counts[i, i]} of {RowTotal(i)})");
        sb.AppendLine($"  overall {"".PadRight(nameWidth - 6)} {Accuracy * 100,6:F2}%  ({Correct} of {Total})");
        return sb.ToString();
    }

    /// <summary>Side of one heat-map cell in pixels.</summary>
    public const int Cell = 48;

    /// <summary>
    /// A heat map: each cell's colour is its share of the row (the true class), with the count written in it. Colours
    /// are viridis of the square root of the share, so that rare confusions show next to the diagonal. Class names on
    /// the left, each row's accuracy on the right, the overall accuracy below; K x <see cref="Cell"/> pixels of cells
    /// plus the labels.
    /// </summary>
    public SKBitmap Render()
    {
        using var font = Drawing.Font(13);
        using var small = Drawing.Font(11);
        int labelWidth = (int)Names.Max(n => font.MeasureText(n)) + 40;
        int left = labelWidth + 30, top = 50, rightLabel = 80;
        int width = left + Classes * Cell + rightLabel, height = top + Classes * Cell + 52;
        var bitmap = Drawing.NewBitmap(width, height, Drawing.Background);
        using var canvas = new SKCanvas(bitmap);
        using var fill = new SKPaint();
        Drawing.Text(canvas, "true class (rows) against predicted class (columns)", 10, 20, font, Drawing.Ink);
        Drawing.Text(canvas, "accuracy", left + Classes * Cell + 8, top - 8, small, Drawing.Ink);
        for (int i = 0; i < Classes; i++)
        {
            int row = RowTotal(i);
            for (int j = 0; j < Classes; j++)
            {
                float share = row > 0 ? (float)Counts[i, j] / row : 0;
                // Square root so that the few off-diagonal confusions are visible next to the diagonal.
                var colour = Drawing.Viridis(MathF.Sqrt(share));
                fill.Color = colour;
                var rect = SKRect.Create(left + j * Cell, top + i * Cell, Cell - 1, Cell - 1);
                canvas.DrawRect(rect, fill);
                var ink = (colour.Red * 299 + colour.Green * 587 + colour.Blue * 114) / 1000 > 128 ? SKColors.Black : SKColors.White;
                var text = Counts[i, j].ToString();
                Drawing.Text(canvas, text, rect.MidX - small.MeasureText(text) / 2, rect.MidY + 4, small, ink);
            }
            var name = $"{i} {Names[i]}";
            Drawing.Text(canvas, name, left - 8 - font.MeasureText(name), top + i * Cell + Cell / 2 + 5, font, Drawing.Ink);
            Drawing.Text(canvas, $"{ClassAccuracy(i) * 100:F1}%", left + Classes * Cell + 8, top + i * Cell + Cell / 2 + 5, font, Drawing.Ink);
        }
        for (int j = 0; j < Classes; j++)
        {
            var text = j.ToString();
            Drawing.Text(canvas, text, left + j * Cell + Cell / 2 - font.MeasureText(text) / 2, top + Classes * Cell + 18, font, Drawing.Ink);
        }
        Drawing.Text(canvas, $"overall accuracy {Accuracy * 100:F2}% on {Total} samples", left, top + Classes * Cell + 40, font, Drawing.Ink);
        canvas.Flush();
        return bitmap;
    }
}
