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
        var smoothing = new Option<float?>("--label-smoothing") { Description = "cross-entropy: spread this share of each target over all classes, in [0, 1) (default 0)" };
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var device = CliOptions.Device();
        var metrics = new Option<string?>("--metrics") { Description = "write one JSON object per epoch to this file" };
        var metricsEvery = new Option<int?>("--metrics-every") { Description = "with --metrics: also write a record of the batch loss every N steps" };
        var report = new Option<string?>("--report") { Description = "write DIR/index.html, a self-contained report page, rewritten after each epoch" };
        var trainLimit = new Option<int?>("--train-limit") { Description = "use only the first N training samples" };
        var testLimit = new Option<int?>("--test-limit") { Description = "use only the first N test samples" };
        var target = new Option<string?>("--target") { Description = "CSV data: the column to predict (a header name or a 1-based column number)" };
        var task = new Option<string?>("--task") { Description = "CSV data: classification or regression (default: guessed from the target column)" };
        var testFraction = new Option<double>("--test-fraction") { Description = "CSV data and one tree of image class folders: share held out for testing (stratified)", DefaultValueFactory = _ => 0.2 };
        var fit = new Option<string>("--fit") { Description = "backprop, or two-phase (k-means centres, then least squares) for rbf(K),dense(outputs) models", DefaultValueFactory = _ => "backprop" };
        var ridge = new Option<double>("--ridge") { Description = "two-phase fit: ridge lambda on the output weights", DefaultValueFactory = _ => 1e-6 };
        var output = new Option<string?>("--out", "-o") { Description = "write the trained model to this .safetensors file" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "save checkpoints into this folder at each epoch's end" };
        var every = new Option<int?>("--checkpoint-every") { Description = "also save a checkpoint every N steps" };
        var resume = new Option<string?>("--resume") { Description = "continue the run whose checkpoints are in this folder" };
        var augment = new Option<string>("--augment") { Description = "training image augmentation: none, shift (±2 pixels), shift=N, flip, jitter (brightness and contrast ±0.2), jitter=X, erase (random erasing, p 0.5), erase=P, or a + of them", DefaultValueFactory = _ => "none" };
        var memoryLimit = CliOptions.MemoryLimit();
        var normalize = new Option<string>("--normalize") { Description = "input normalisation (x - mean) / std: none, auto (from the training pixels, per channel for colour), MEAN,STD or per channel M1/M2/M3,S1/S2/S3; saved with the model", DefaultValueFactory = _ => "none" };
        var imageSize = new Option<string?>("--image-size") { Description = "image folders: resize every image to HxW (default: the most common size)" };
        var channels = new Option<int?>("--channels") { Description = "image folders: 1 (grey) or 3 (RGB) (default: colour when any image is)" };
        var crop = new Option<bool>("--crop") { Description = "image folders: centre-crop to the --image-size aspect ratio before resizing" };
        var skipBad = new Option<bool>("--skip-bad-images") { Description = "image folders: leave out images that cannot be decoded (with a count) instead of failing" };
        var stream = new Option<bool>("--stream") { Description = "read the samples from disk as training needs them, a batch ahead on worker threads (IDX folders, image folders, CSV tables); memory holds the labels, not the pixels or features (the same results as loading them)" };
        var spec = CliOptions.Spec();
        spec.Description = "fine-tune: the layers (a preset or spec) of a --model file of weights saved elsewhere (a PyTorch state_dict as safetensors)";
        var command = new Command("train", "train a model and report test accuracy (or regression errors) per epoch")
        {
            spec, imageSize, channels, crop, skipBad, stream,
            data, model, epochs, batch, optimizer, lr, momentum, decay, schedule, loss, smoothing, seed, threads, device, metrics, metricsEvery, report, trainLimit, testLimit,
            target, task, testFraction, fit, ridge, output, checkpoint, every, resume, augment, normalize, memoryLimit,
        };
        command.SetAction(r =>
        {
            var settings = new TrainSettings
            {
                Data = r.GetValue(data)!,
                Model = r.GetValue(model)!,
                Spec = r.GetValue(spec),
                ImageSize = r.GetValue(imageSize),
                Channels = r.GetValue(channels),
                CentreCrop = r.GetValue(crop),
                SkipBadImages = r.GetValue(skipBad),
                Stream = r.GetValue(stream),
                Options = new TrainingOptions
                {
                    Epochs = CliOptions.Positive(r.GetValue(epochs), "--epochs"),
                    Batch = CliOptions.Positive(r.GetValue(batch), "--batch"),
                    Optimizer = r.GetValue(optimizer)!.ToLowerInvariant(),
                    LearningRate = r.GetValue(lr) is { } l ? CliOptions.Positive(l, "--lr") : null,
                    Momentum = r.GetValue(momentum),
                    WeightDecay = r.GetValue(decay) is { } d ? CliOptions.NonNegative(d, "--weight-decay") : null,
                    Schedule = r.GetValue(schedule)!.ToLowerInvariant(),
                    Loss = r.GetValue(loss)!.ToLowerInvariant(),
                    LabelSmoothing = r.GetValue(smoothing) is { } ls ? ls is >= 0 and < 1 ? ls
                        : throw new UsageException($"--label-smoothing: must be in [0, 1), got {ls.ToString(CultureInfo.InvariantCulture)}") : 0f,
                    Seed = r.GetValue(seed),
                    Augment = r.GetValue(augment)!,
                    Normalize = r.GetValue(normalize)!,
                },
                Threads = CliOptions.Positive(r.GetValue(threads), "--threads"),
                Device = r.GetValue(device)!,
                Metrics = r.GetValue(metrics),
                MetricsEvery = r.GetValue(metricsEvery) is { } me ? CliOptions.Positive(me, "--metrics-every") : null,
                Report = r.GetValue(report),
                TrainLimit = r.GetValue(trainLimit) is { } tl ? CliOptions.Positive(tl, "--train-limit") : int.MaxValue,
                TestLimit = r.GetValue(testLimit) is { } el ? CliOptions.Positive(el, "--test-limit") : int.MaxValue,
                Target = r.GetValue(target),
                Task = TabularRun.Task(r.GetValue(task)),
                TestFraction = r.GetValue(testFraction) is var f and >= 0 and < 1 ? f : throw new UsageException($"--test-fraction: must be in [0, 1), got {r.GetValue(testFraction).ToString(CultureInfo.InvariantCulture)}"),
                Fit = TwoPhaseRun.Fit(r.GetValue(fit)!),
                Ridge = r.GetValue(ridge) is var rg and >= 0 && double.IsFinite(rg) ? rg : throw new UsageException($"--ridge: must be zero or more, got {r.GetValue(ridge).ToString(CultureInfo.InvariantCulture)}"),
                Out = r.GetValue(output),
                Checkpoint = r.GetValue(checkpoint),
                CheckpointEvery = r.GetValue(every) is { } n ? CliOptions.Positive(n, "--checkpoint-every") : null,
                Resume = r.GetValue(resume),
                MemoryLimit = CliOptions.Bytes(r.GetValue(memoryLimit), "--memory-limit"),
            };
            if (settings.MetricsEvery is not null && settings.Metrics is null)
                throw new UsageException("--metrics-every: needs --metrics FILE to write the step records to");
            if (settings.Resume is not null)
            {
                // A resumed run continues with its saved settings; only where it writes, its device and threads may change.
                var fixedOptions = new Option[] { model, spec, epochs, batch, optimizer, lr, momentum, decay, schedule, loss, smoothing, seed, trainLimit, testLimit, augment, normalize };
                if (fixedOptions.FirstOrDefault(o => r.GetResult(o) is { Implicit: false }) is { } given)
                    throw new UsageException($"{given.Name}: cannot be changed when resuming; --resume continues with the checkpoint's settings");
                var (checkpoint, saved) = TrainCheckpoints.Load(settings.Resume);
                bool Given(Option o) => r.GetResult(o) is { Implicit: false };
                return TrainRun.Execute(saved with
                {
                    Data = Given(data) ? settings.Data : saved.Data,
                    Threads = Given(threads) ? settings.Threads : saved.Threads,
                    Stream = Given(stream) ? settings.Stream : saved.Stream,
                    Device = settings.Device,
                    Metrics = settings.Metrics,
                    MetricsEvery = settings.MetricsEvery,
                    Out = settings.Out,
                    Checkpoint = settings.Checkpoint ?? settings.Resume,
                    CheckpointEvery = settings.CheckpointEvery ?? saved.CheckpointEvery,
                    Resume = settings.Resume,
                    MemoryLimit = settings.MemoryLimit,
                }, checkpoint);
            }
            settings = WithPresetDefaults(settings, o => r.GetResult(o) is { Implicit: false }, optimizer, lr, decay, schedule, augment, normalize, smoothing, batch);
            if (settings.Options.Momentum is < 0 or >= 1) throw new UsageException($"--momentum: must be in [0, 1), got {settings.Options.Momentum.ToString(CultureInfo.InvariantCulture)}");
            return TrainRun.Execute(settings);
        });
        return command;
    }

    // The preset's own training defaults (PresetDefaults) in the options the user left out.
    private static TrainSettings WithPresetDefaults(TrainSettings s, Func<Option, bool> given, Option optimizer, Option lr, Option decay,
        Option schedule, Option augment, Option normalize, Option smoothing, Option batch)
    {
        if (PresetDefaults.For(s.Model) is not { } preset) return s;
        var named = new (Option Option, string Field)[]
        {
            (optimizer, nameof(TrainingOptions.Optimizer)), (lr, nameof(TrainingOptions.LearningRate)), (decay, nameof(TrainingOptions.WeightDecay)),
            (schedule, nameof(TrainingOptions.Schedule)), (augment, nameof(TrainingOptions.Augment)), (normalize, nameof(TrainingOptions.Normalize)),
            (smoothing, nameof(TrainingOptions.LabelSmoothing)), (batch, nameof(TrainingOptions.Batch)),
        };
        return s with { Options = preset.ApplyTo(s.Options, named.Where(n => given(n.Option)).Select(n => n.Field).ToHashSet()) };
    }
}
