using System.Text.RegularExpressions;
using Dendrite.Tests.Cli;
using Dendrite.Visualization;

namespace Dendrite.Tests.Visualization;

/// <summary>train --report: the page is complete, self-contained, and renders in a real browser without errors.</summary>
[Collection(ConsoleCollection.Name)]
public class ReportTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Report_page_has_every_section_and_only_embedded_images_that_decode()
    {
        string report = Train();
        var html = File.ReadAllText(Path.Combine(report, "index.html"));
        foreach (var section in new[] { "Command and settings", "Model", "Learning curves", "Confusion matrix", "First-layer filters",
                     "Activation maps", "Most confidently wrong test images" })
            Assert.Contains($"<h2>{section}</h2>", html);
        Assert.Contains("dendrite train --data", html);
        Assert.Contains("Finished: epoch 2 of 2", html);
        Assert.Contains("Ankle boot", html);
        Assert.DoesNotContain("http-equiv=\"refresh\"", html); // reloading stops when training has ended
        var sources = Regex.Matches(html, "<img src=\"([^\"]*)\" width=\"(\\d+)\" height=\"(\\d+)\"");
        Assert.Equal(7, sources.Count); // curves, confusion, filters, three activation maps, mistakes
        foreach (Match m in sources)
        {
            Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value);
            using var image = Picture.Decode(Convert.FromBase64String(m.Groups[1].Value["data:image/png;base64,".Length..]));
            Assert.Equal((int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value)), (image.Width, image.Height));
            Picture.AssertHasContent(image);
        }
        Assert.DoesNotMatch("(src|href)=\"(http|//|[a-z]+\\.png)", html);
    }

    [Fact]
    public void Report_renders_in_headless_chromium_with_no_error_and_no_broken_image()
    {
        string report = Train();
        var page = Path.Combine(report, "index.html");
        var check = Chromium.Inspect(page);
        Assert.Equal(7, check.Images);
        Assert.True(check.Broken.Length == 0, "broken images: " + string.Join(", ", check.Broken));
        Assert.True(check.Errors.Length == 0, "errors: " + string.Join("; ", check.Errors));
        var shot = Path.Combine(report, "screenshot.png");
        Chromium.Screenshot(page, shot);
        using var screenshot = Picture.Load(shot);
        Assert.Equal((1280, 3000), (screenshot.Width, screenshot.Height));
        Picture.AssertHasContent(screenshot, 100);
    }

    [Fact]
    public void The_browser_check_catches_a_broken_image_and_a_console_error()
    {
        var page = _dir.File("bad.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><head><title>bad</title></head><body>" +
            "<img src=\"data:image/png;base64,iVBORw0KGgoAAAA=\" alt=\"truncated png\" width=\"10\" height=\"10\">" +
            "<img src=\"missing.png\" alt=\"missing file\"><script>console.error('boom')</script></body></html>");
        var check = Chromium.Inspect(page);
        Assert.Equal(2, check.Images);
        Assert.Equal(["truncated png", "missing file"], check.Broken);
        Assert.Contains("console.error: boom", check.Errors);
        Assert.Contains(check.Errors, e => e.StartsWith("failed to load <img>"));
    }

    [Fact]
    public void A_report_written_mid_training_reloads_itself()
    {
        var (train, test) = Synthetic.Images(100, 50, 9);
        var net = ModelSpec.Build("mlp", train.SampleShape, 10, 1);
        var report = new TrainingReport(_dir.File("mid"), "dendrite train", [("epochs", "3")], net, test);
        report.Write([new EpochMetrics(1, 2.1f, 2.0f, 0.2f, 100, 1, 0.001f)], totalEpochs: 3);
        var html = File.ReadAllText(report.PagePath);
        Assert.Contains("In progress: epoch 1 of 3", html);
        Assert.Contains("http-equiv=\"refresh\"", html);
        Assert.Empty(Directory.GetFiles(_dir.File("mid"), "*.tmp"));
    }

    private string Train()
    {
        // Real Fashion-MNIST (a few hundred samples), so that there are class names and mistakes to show.
        string report = _dir.File("report");
        var r = Cli.Cli.Run("train", "--data", IdxDataset.DefaultDirectory, "--train-limit", "600", "--test-limit", "200", "--model", "conv(8,3,pad=1),relu,maxpool(2),flatten,dense(10),softmax",
            "--epochs", "2", "--batch", "32", "--threads", "2", "--report", report);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"report: {Path.Combine(report, "index.html")}", r.Out);
        foreach (var png in new[] { "curves.png", "confusion.png", "filters.png", "activations-0.png", "activations-2.png", "mistakes.png" })
        {
            using var image = Picture.Load(Path.Combine(report, png));
            Picture.AssertHasContent(image);
        }
        return report;
    }
}
