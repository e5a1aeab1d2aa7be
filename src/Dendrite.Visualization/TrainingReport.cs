using System.Net;
using System.Text;
using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// A training run as one self-contained web page, DIR/index.html: the command and settings, the model summary, the
/// learning curves, the confusion matrix, the first layer's filters, activation maps of a few test images and the most
/// confidently wrong test images. Every picture is embedded as a data: URI (and also written beside the page as a PNG),
/// so the page needs no network and no other file. <see cref="Write"/> replaces the page in one rename, so it can be
/// called after each epoch while a browser watches; until the last epoch the page reloads itself every 15 s.
/// </summary>
public sealed class TrainingReport
{
    /// <summary>How many test images (the first ones) get activation maps.</summary>
    public const int Examples = 3;
    /// <summary>How many of the most confident mistakes are shown, at most.</summary>
    public const int MistakesShown = 16;

    private readonly string _directory;
    private readonly string _command;
    private readonly IReadOnlyList<(string Name, string Value)> _settings;
    private readonly Sequential _net;
    private readonly Dataset _test;
    private readonly string _runName;
    // How the test images were normalised, undone when they are drawn.
    private readonly Normalization _normalization;

    /// <summary>Creates <paramref name="directory"/> if needed; writes nothing until <see cref="Write"/>.</summary>
    /// <param name="directory">Where index.html and the PNG files go.</param>
    /// <param name="command">The command line, shown as it is.</param>
    /// <param name="settings">Name-value rows of the settings table.</param>
    /// <param name="net">The network being trained; each <see cref="Write"/> draws it as it is then.</param>
    /// <param name="test">The labelled test set the predictions, confusion matrix, activation maps and mistakes come from.</param>
    /// <param name="runName">The run's legend label in the learning curves.</param>
    /// <param name="normalization">How the test images were normalised, undone when they are drawn; none when null.</param>
    public TrainingReport(string directory, string command, IReadOnlyList<(string Name, string Value)> settings, Sequential net,
        Dataset test, string runName = "run", Normalization? normalization = null)
    {
        _normalization = normalization ?? Normalization.None;
        Directory.CreateDirectory(directory);
        _directory = directory;
        _command = command;
        _settings = settings;
        _net = net;
        _test = test;
        _runName = runName;
    }

    /// <summary>DIR/index.html.</summary>
    public string PagePath => Path.Combine(_directory, "index.html");

    /// <summary>
    /// Renders every section from the network as it is now and the epochs so far, writes each picture's PNG beside the
    /// page, then replaces the page. The page stops reloading itself once the last epoch in
    /// <paramref name="history"/> reaches <paramref name="totalEpochs"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The test set is not labelled.</exception>
    /// <exception cref="ShapeException">The network's output does not have one value per test class.</exception>
    public void Write(IReadOnlyList<EpochMetrics> history, int totalEpochs)
    {
        bool done = history.Count > 0 && history[^1].Epoch >= totalEpochs;
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            {(done ? "" : "<meta http-equiv=\"refresh\" content=\"15\">")}
            <title>Dendrite training report: {E(_net.Spec)}</title>
            <style>
            body {"{"} font-family: DejaVu Sans, sans-serif; margin: 2em; max-width: 1200px; color: #222; {"}"}
            table {"{"} border-collapse: collapse; margin: 0.5em 0; {"}"}
            td, th {"{"} border: 1px solid #ccc; padding: 2px 8px; text-align: left; {"}"}
            td.n {"{"} text-align: right; {"}"}
            pre {"{"} background: #f6f6f6; padding: 0.6em; white-space: pre-wrap; {"}"}
            img {"{"} max-width: 100%; border: 1px solid #ddd; {"}"}
            figure {"{"} display: inline-block; margin: 0.5em 1em 0.5em 0; vertical-align: top; {"}"}
            </style></head><body>
            <h1>Training report</h1>
            <p>{(done ? "Finished" : "In progress")}: epoch {history.LastOrDefault()?.Epoch ?? 0} of {totalEpochs}, written {DateTime.Now:yyyy-MM-dd HH:mm:ss}.</p>
            <h2>Command and settings</h2>
            <pre>{E(_command)}</pre>
            <table>{string.Concat(_settings.Select(s => $"<tr><th>{E(s.Name)}</th><td>{E(s.Value)}</td></tr>"))}</table>
            """);
        Summary(html);
        Curves(html, history);
        var predictions = Predictions.Compute(_net, _test);
        Confusion(html, predictions);
        Filters(html);
        Activations(html);
        Mistakes(html, predictions);
        html.Append("</body></html>\n");
        var page = Encoding.UTF8.GetBytes(html.ToString());
        AtomicFile.Write(PagePath, s => s.Write(page));
    }

    private void Summary(StringBuilder html)
    {
        html.Append($"<h2>Model</h2><p><code>{E(_net.Spec)}</code>: {_net.ParameterCount:N0} parameters.</p>");
        html.Append($"<table><tr><th>#</th><th>layer</th><th>output</th><th>parameters</th><th>multiply-adds</th></tr>");
        html.Append($"<tr><td></td><td>input</td><td>{Tensor.Format(_net.InputShape)}</td><td></td><td></td></tr>");
        foreach (var l in _net.Layers)
        {
            long p = l.Parameters.Sum(x => (long)x.Length);
            html.Append($"<tr><td class=n>{l.Position}</td><td>{E(l.Spec)}</td><td>{Tensor.Format(l.OutputShape)}</td>" +
                        $"<td class=n>{(p == 0 ? "" : p.ToString("N0"))}</td><td class=n>{(l.MultiplyAdds == 0 ? "" : l.MultiplyAdds.ToString("N0"))}</td></tr>");
        }
        html.Append("</table>");
    }

    private void Curves(StringBuilder html, IReadOnlyList<EpochMetrics> history)
    {
        html.Append("<h2>Learning curves</h2>");
        if (history.Count == 0)
        {
            html.Append("<p>No epoch has finished yet.</p>");
            return;
        }
        using (var curves = TrainingCurves.Render([new TrainingCurves.Run(_runName, history)]))
            Image(html, curves, "curves.png", "loss and test accuracy per epoch");
        html.Append("<table><tr><th>epoch</th><th>train loss</th><th>test loss</th><th>test accuracy</th><th>learning rate</th><th>seconds</th></tr>");
        foreach (var m in history)
            html.Append($"<tr><td class=n>{m.Epoch}</td><td class=n>{m.TrainLoss:F4}</td><td class=n>{m.TestLoss:F4}</td>" +
                        $"<td class=n>{m.TestAccuracy * 100:F2}%</td><td class=n>{m.LearningRate:G3}</td><td class=n>{m.Seconds:F1}</td></tr>");
        html.Append("</table>");
    }

    private void Confusion(StringBuilder html, Predictions predictions)
    {
        var matrix = ConfusionMatrix.From(predictions);
        html.Append($"<h2>Confusion matrix</h2><p>{matrix.Total:N0} test samples; rows are the true class, columns the prediction.</p>");
        using (var image = matrix.Render()) Image(html, image, "confusion.png", "confusion matrix");
        html.Append($"<pre>{E(matrix.ToText())}</pre>");
    }

    private void Filters(StringBuilder html)
    {
        html.Append("<h2>First-layer filters</h2>");
        if (FilterGrid.FirstLayer(_net) is not { } first)
        {
            html.Append("<p>The first learnable layer is neither a convolution nor a dense layer over an image: no filters to draw.</p>");
            return;
        }
        var shape = first.Weight.Shape;
        html.Append(FilterGrid.IsConvolution(first.Layer)
            ? $"<p>{E(first.Layer.Label)}: weights {Tensor.Format(shape)}, each filter scaled to its own range (black lowest, white highest).</p>"
            : $"<p>{E(first.Layer.Label)}: the weights of its first {shape[0]} units, each laid out as the {Tensor.Format(_net.InputShape)} image it reads and scaled to its own range.</p>");
        using var image = FilterGrid.Render(first.Weight);
        Image(html, image, "filters.png", "first-layer filters");
    }

    private void Activations(StringBuilder html)
    {
        html.Append("<h2>Activation maps</h2>");
        if (_net.InputShape.Length != 3 || !_net.Layers.Any(ActivationMaps.Shows))
        {
            html.Append("<p>The model has no convolution or pooling layer: it sees each image as one long vector, so there are no maps to draw.</p>");
            return;
        }
        html.Append("<p>Each channel of each convolution and pooling layer's output volume is one tile; one colour scale per volume.</p>");
        for (int i = 0; i < Math.Min(Examples, _test.Count); i++)
        {
            var sample = new float[_test.SampleSize];
            _test.ReadSample(i, sample);
            using var image = ActivationMaps.Render(ActivationMaps.Collect(_net, sample));
            string label = _test.ClassNames is { } n ? n[_test.Labels[i]] : _test.Labels[i].ToString();
            Image(html, image, $"activations-{i}.png", $"test image {i} ({label})");
        }
    }

    private void Mistakes(StringBuilder html, Predictions predictions)
    {
        html.Append("<h2>Most confidently wrong test images</h2>");
        var mistakes = ConfidentMistakes.Find(predictions, MistakesShown);
        if (mistakes.Count == 0 || _test.SampleShape.Length != 3 || _test.SampleShape[0] is not (1 or 3))
        {
            html.Append(mistakes.Count == 0 ? "<p>No test image is misclassified.</p>" : "<p>Samples are not images.</p>");
            return;
        }
        html.Append("<p>The prediction and its probability in red, the true class below.</p>");
        using var image = ConfidentMistakes.Render(_test, mistakes, _normalization);
        Image(html, image, "mistakes.png", "most confidently wrong");
    }

    private void Image(StringBuilder html, SKBitmap bitmap, string file, string caption)
    {
        var png = Png.Encode(bitmap);
        AtomicFile.Write(Path.Combine(_directory, file), s => s.Write(png));
        html.Append($"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" width=\"{bitmap.Width}\" height=\"{bitmap.Height}\" " +
                    $"alt=\"{E(caption)}\"><figcaption>{E(caption)}</figcaption></figure>");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
