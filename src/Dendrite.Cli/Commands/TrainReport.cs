using System.Globalization;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>train --report DIR: keeps the epochs so far and rewrites DIR/index.html as each one ends.</summary>
public sealed class TrainReport
{
    private readonly TrainingReport _report;
    private readonly int _epochs;
    private readonly List<EpochMetrics> _history = [];

    private TrainReport(TrainingReport report, int epochs)
    {
        _report = report;
        _epochs = epochs;
    }

    public static TrainReport? Open(TrainSettings s, Sequential net, Dataset test, Normalization normalization)
    {
        if (s.Report is null) return null;
        try
        {
            return new TrainReport(new TrainingReport(s.Report, Command(s), Settings(s, normalization), net, test, ShortName(s.Model), normalization), s.Options.Epochs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--report: cannot write to {s.Report}: {e.Message}");
        }
    }

    public void EpochEnded(EpochMetrics m)
    {
        _history.Add(m);
        _report.Write(_history, _epochs);
        if (m.Epoch == _epochs) Console.WriteLine($"report: {Path.GetFullPath(_report.PagePath)}");
    }

    /// <summary>The train command that reproduces this run, every setting spelled out.</summary>
    public static string Command(TrainSettings s)
    {
        var o = s.Options;
        var args = new List<string> { "dendrite", "train", "--data", s.Data, "--model", s.Model, "--epochs", I(o.Epochs), "--batch", I(o.Batch),
            "--optimizer", o.Optimizer };
        if (o.LearningRate is { } lr) args.AddRange(["--lr", F(lr)]);
        if (o.Optimizer is "momentum" or "nesterov") args.AddRange(["--momentum", F(o.Momentum)]);
        if (o.WeightDecay is { } wd) args.AddRange(["--weight-decay", F(wd)]);
        args.AddRange(["--schedule", o.Schedule, "--loss", o.Loss, "--seed", o.Seed.ToString(CultureInfo.InvariantCulture)]);
        if (o.LabelSmoothing != 0) args.AddRange(["--label-smoothing", F(o.LabelSmoothing)]);
        if (s.TrainLimit != int.MaxValue) args.AddRange(["--train-limit", I(s.TrainLimit)]);
        if (s.TestLimit != int.MaxValue) args.AddRange(["--test-limit", I(s.TestLimit)]);
        if (o.Augment != "none") args.AddRange(["--augment", o.Augment]);
        if (s.Metrics is not null) args.AddRange(["--metrics", s.Metrics]);
        if (s.Out is not null) args.AddRange(["--out", s.Out]);
        args.AddRange(["--report", s.Report!]);
        return string.Join(" ", args.Select(Quote));
    }

    private static IReadOnlyList<(string, string)> Settings(TrainSettings s, Normalization n)
    {
        var o = s.Options;
        return
        [
            ("data", s.Data), ("model", s.Model), ("epochs", I(o.Epochs)), ("batch", I(o.Batch)), ("optimizer", o.Optimizer),
            ("learning rate", o.LearningRate is { } lr ? F(lr) : "the optimizer's default"), ("schedule", o.Schedule),
            ("loss", o.LabelSmoothing == 0 ? o.Loss : $"{o.Loss}, label smoothing {F(o.LabelSmoothing)}"), ("augmentation", o.Augment),
            ("input normalisation", n.IsNone ? "none" : n.ToString()),
            ("seed", o.Seed.ToString(CultureInfo.InvariantCulture)), ("threads", I(s.Threads)),
            ("training samples", s.TrainLimit == int.MaxValue ? "all" : I(s.TrainLimit)),
            ("test samples", s.TestLimit == int.MaxValue ? "all" : I(s.TestLimit)),
        ];
    }

    private static string ShortName(string model) => model.Length <= 24 ? model : model[..21] + "...";
    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string F(float v) => v.ToString("G", CultureInfo.InvariantCulture);
    private static string Quote(string a) => a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./=:,".Contains(c)) ? a : $"'{a.Replace("'", "'\\''")}'";
}
