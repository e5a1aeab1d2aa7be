using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dendrite.Tests.Visualization;

/// <summary>
/// Opens a page in headless Chromium (Debian's chromium package, which .ci/run installs): a screenshot, and a check that
/// every image decoded at its stated size and nothing reported an error. The check is a script put at the top of a copy
/// of the page: it records console.error calls, uncaught errors and failed resource loads from the first moment, and
/// after the load event writes what it found into the DOM, which --dump-dom prints.
/// </summary>
internal static partial class Chromium
{
    public const string Executable = "/usr/bin/chromium";

    public sealed record Check(int Images, string[] Broken, string[] Errors);

    private const string Checker = """
        <script>
        window.__errors = [];
        (function () {
          const original = console.error;
          console.error = function (...a) { window.__errors.push('console.error: ' + a.join(' ')); original.apply(console, a); };
          window.addEventListener('error', e => {
            const t = e.target;
            window.__errors.push(t && t.tagName ? 'failed to load <' + t.tagName.toLowerCase() + '> ' + String(t.src || t.href || '').slice(0, 80) : 'error: ' + e.message);
          }, true);
          window.addEventListener('unhandledrejection', e => window.__errors.push('unhandled rejection: ' + e.reason));
          window.addEventListener('load', () => {
            const images = Array.from(document.images);
            const broken = images.filter(i => !i.complete || i.naturalWidth === 0 || i.naturalHeight === 0 ||
              (i.hasAttribute('width') && i.naturalWidth !== +i.getAttribute('width')) ||
              (i.hasAttribute('height') && i.naturalHeight !== +i.getAttribute('height'))).map(i => i.alt || i.src.slice(0, 40));
            const out = document.createElement('pre');
            out.id = 'dendrite-check';
            out.textContent = JSON.stringify({ images: images.length, broken: broken, errors: window.__errors });
            document.body.appendChild(out);
          });
        })();
        </script>
        """;

    public static Check Inspect(string page)
    {
        var html = File.ReadAllText(page);
        int head = html.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
        Assert.True(head >= 0, $"{page} has no <head>");
        var copy = Path.Combine(Path.GetDirectoryName(page)!, "checked-" + Path.GetFileName(page));
        File.WriteAllText(copy, html.Insert(head + "<head>".Length, Checker));
        try
        {
            var (dom, log) = Run("--dump-dom", new Uri(copy).AbsoluteUri);
            var m = CheckElement().Match(dom);
            Assert.True(m.Success, $"the check did not run: no #dendrite-check in the DOM Chromium dumped\n{log}");
            using var json = JsonDocument.Parse(WebUtility.HtmlDecode(m.Groups[1].Value));
            var o = json.RootElement;
            return new Check(o.GetProperty("images").GetInt32(),
                [.. o.GetProperty("broken").EnumerateArray().Select(e => e.GetString()!)],
                [.. o.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)]);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    public static void Screenshot(string page, string png, int width = 1280, int height = 3000) =>
        Run($"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(Path.GetFullPath(page)).AbsoluteUri);

    /// <summary>Runs Chromium once in a fresh profile and waits for it (at most two minutes); returns stdout and stderr.</summary>
    private static (string Out, string Error) Run(params string[] args)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: apt-get install chromium (.ci/run does)");
        var profile = Directory.CreateTempSubdirectory("dendrite-chromium-").FullName;
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}" })
            start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium {string.Join(' ', args)} did not finish in two minutes");
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {stderr.Result}");
            return (stdout.Result, stderr.Result);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
    }

    [GeneratedRegex("<pre id=\"dendrite-check\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex CheckElement();
}
