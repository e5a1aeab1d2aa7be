using System.CommandLine;
using System.Globalization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite train: fit a preset or spec on an IDX data set, one summary line per epoch.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var data = CliOptions.Data();
        var model = CliOptions.Model();
        var epochs = new Option<int>("--epochs", "-e") { Description = "passes over the training set", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch", "-b") { Description = "samples per step", DefaultValueFactory = _ => 64 };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum, nesterov, adam, adamw or rmsprop", DefaultValueFactory = _ => "adam" };
        var lr = new Option<float?>("--lr") { Description = "learning rate (default: 0.001 for adam, adamw, rmsprop; 0.05 for sgd; 0.01 for momentum, nesterov)" };
        var momentum = new Option<float>("--momentum") { Description = "momentum for momentum and nesterov", DefaultValueFactory = _ => 0.9f };
        var decay = new Option<float?>("--weight-decay") { Description = "L2 weight decay (decoupled for adamw, default 0.01 there, 0 elsewhere)" };
        var schedule = new Option<string>("--schedule") { Description = "learning-rate schedule: constant, step or cosine", DefaultValueFactory = _ => "cosine" };
        var loss = new Option<string>("--loss") { Description = "cross-entropy, mse or bce", DefaultValueFactory = _ => "cross-entropy" };
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var metrics = new Option<string?>("--metrics") { Description = "write one JSON object per epoch to this file" };
        var report = new Option<string?>("--report") { Description = "write DIR/index.html, a self-contained report page, rewritten after each epoch" };
        var trainLimit = new Option<int?>("--train-limit") { Description = "use only the first N training samples" };
        var testLimit = new Option<int?>("--test-limit") { Description = "use only the first N test samples" };
        var command = new Command("train", "train a model and report test accuracy per epoch")
        {
            data, model, epochs, batch, optimizer, lr, momentum, decay, schedule, loss, seed, threads, metrics, report, trainLimit, testLimit,
        };
        command.SetAction(r =>
        {
            var settings = new TrainSettings
            {
                Data = r.GetValue(data)!,
                Model = r.GetValue(model)!,
                Epochs = CliOptions.Positive(r.GetValue(epochs), "--epochs"),
                Batch = CliOptions.Positive(r.GetValue(batch), "--batch"),
                Optimizer = r.GetValue(optimizer)!.ToLowerInvariant(),
                LearningRate = r.GetValue(lr) is { } l ? CliOptions.Positive(l, "--lr") : null,
                Momentum = r.GetValue(momentum),
                WeightDecay = r.GetValue(decay) is { } d ? CliOptions.NonNegative(d, "--weight-decay") : null,
                Schedule = r.GetValue(schedule)!.ToLowerInvariant(),
                Loss = r.GetValue(loss)!.ToLowerInvariant(),
                Seed = r.GetValue(seed),
                Threads = CliOptions.Positive(r.GetValue(threads), "--threads"),
                Metrics = r.GetValue(metrics),
                Report = r.GetValue(report),
                TrainLimit = r.GetValue(trainLimit) is { } tl ? CliOptions.Positive(tl, "--train-limit") : int.MaxValue,
                TestLimit = r.GetValue(testLimit) is { } el ? CliOptions.Positive(el, "--test-limit") : int.MaxValue,
            };
            if (settings.Momentum is < 0 or >= 1) throw new UsageException($"--momentum: must be in [0, 1), got {settings.Momentum.ToString(CultureInfo.InvariantCulture)}");
            return TrainRun.Execute(settings);
        });
        return command;
    }
}
