using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite make-data: writes a small synthetic table as CSV, seeded, so the tabular experiments need no download.
/// sine1d: y = sin(3x) + 0.3 x^2 at x ~ U(-3, 3); franke2d: Franke's test function at (x1, x2) ~ U(0, 1)^2;
/// xor: label = (x1 > 0) xor (x2 > 0) at (x1, x2) ~ U(-1, 1)^2. Optional Gaussian noise is added to y (not to labels).
/// </summary>
public static class MakeDataCommand
{
    public static readonly IReadOnlyList<string> Names = ["sine1d", "franke2d", "xor"];

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "sine1d, franke2d or xor" };
        var output = new Option<string>("--out", "-o") { Description = "the CSV file to write", Required = true };
        var samples = new Option<int?>("--samples", "-n") { Description = "rows (default: 200 for sine1d, 400 otherwise)" };
        var noise = new Option<float>("--noise") { Description = "standard deviation of Gaussian noise added to the regression target", DefaultValueFactory = _ => 0f };
        var seed = CliOptions.Seed();
        var command = new Command("make-data", "write a small synthetic CSV table (sine1d, franke2d, xor)") { name, output, samples, noise, seed };
        command.SetAction(r =>
        {
            string which = r.GetValue(name)!.ToLowerInvariant();
            int n = r.GetValue(samples) is { } v ? CliOptions.Positive(v, "--samples") : which == "sine1d" ? 200 : 400;
            float sigma = CliOptions.NonNegative(r.GetValue(noise), "--noise");
            string text = Make(which, n, sigma, new Rng(r.GetValue(seed)));
            string path = r.GetValue(output)!;
            try
            {
                File.WriteAllText(path, text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--out: cannot write {path}: {e.Message}");
            }
            Console.WriteLine($"wrote {n} rows of {which} to {path}");
            return 0;
        });
        return command;
    }

    public static string Make(string name, int n, float noise, Rng rng)
    {
        var sb = new StringBuilder();
        string F(double v) => v.ToString("G7", CultureInfo.InvariantCulture);
        switch (name)
        {
            case "sine1d":
                sb.Append("x,y\n");
                for (int i = 0; i < n; i++)
                {
                    double x = -3 + 6 * rng.NextDouble();
                    sb.Append($"{F(x)},{F(Sine(x) + noise * rng.NextGaussian())}\n");
                }
                break;
            case "franke2d":
                sb.Append("x1,x2,y\n");
                for (int i = 0; i < n; i++)
                {
                    double a = rng.NextDouble(), b = rng.NextDouble();
                    sb.Append($"{F(a)},{F(b)},{F(Franke(a, b) + noise * rng.NextGaussian())}\n");
                }
                break;
            case "xor":
                sb.Append("x1,x2,label\n");
                for (int i = 0; i < n; i++)
                {
                    double a = 2 * rng.NextDouble() - 1, b = 2 * rng.NextDouble() - 1;
                    sb.Append($"{F(a)},{F(b)},{((a > 0) ^ (b > 0) ? 1 : 0)}\n");
                }
                break;
            default:
                throw new UsageException($"make-data: '{name}' is not one of {string.Join(", ", Names)}");
        }
        return sb.ToString();
    }

    public static double Sine(double x) => Math.Sin(3 * x) + 0.3 * x * x;

    /// <summary>Franke's function (1979), the usual test of scattered-data interpolation on the unit square.</summary>
    public static double Franke(double x, double y) =>
        0.75 * Math.Exp(-Math.Pow(9 * x - 2, 2) / 4 - Math.Pow(9 * y - 2, 2) / 4)
        + 0.75 * Math.Exp(-Math.Pow(9 * x + 1, 2) / 49 - (9 * y + 1) / 10)
        + 0.5 * Math.Exp(-Math.Pow(9 * x - 7, 2) / 4 - Math.Pow(9 * y - 3, 2) / 4)
        - 0.2 * Math.Exp(-Math.Pow(9 * x - 4, 2) - Math.Pow(9 * y - 7, 2));
}
