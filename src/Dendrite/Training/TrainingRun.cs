using System.Diagnostics;
using System.Text.Json;

namespace Dendrite;

/// <summary>
/// A training run ready to go, built from <see cref="TrainingOptions"/>: the data normalised, RBF centres placed, the
/// optimizer, loss and schedule made from their names, the loader shuffled and augmented, and the position to start
/// from. <see cref="Start"/> begins a run, <see cref="Resume(Checkpoint, Dataset, Dataset?, TrainingOptions?)"/>
/// continues one from a checkpoint (bit-identical to a run never stopped, with the same thread count), and
/// <see cref="SaveCheckpoint"/> writes one with the options in it. What <c>dendrite train</c> and its <c>--resume</c> run.
/// </summary>
public sealed class TrainingRun
{
    /// <summary>The checkpoint metadata key that holds the <see cref="TrainingOptions"/> as JSON.</summary>
    public const string OptionsKey = "training.options";

    private TrainingRun(TrainingOptions options, Trainer trainer, DataLoader loader, Dataset? test, Normalization normalization,
        ImageAugmentation? augmentation, ModelMetadata metadata, TrainingPosition from, Checkpoint? resumed)
    {
        Options = options;
        Trainer = trainer;
        Loader = loader;
        Test = test;
        Normalization = normalization;
        Augmentation = augmentation;
        Metadata = metadata;
        From = from;
        ResumedFrom = resumed;
    }

    /// <summary>The run's hyperparameters.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The trainer (its network, loss, optimizer and schedule); attach <see cref="Trainer.BatchEnded"/> and <see cref="Trainer.EpochEnded"/> here.</summary>
    public Trainer Trainer { get; }

    /// <summary>The network trained.</summary>
    public Sequential Net => Trainer.Model;

    /// <summary>The training data's loader, at the run's position.</summary>
    public DataLoader Loader { get; }

    /// <summary>The test data, normalised; null when there is none.</summary>
    public Dataset? Test { get; }

    /// <summary>What the inputs went through (saved with the model).</summary>
    public Normalization Normalization { get; }

    /// <summary>The training images' augmentation, or null.</summary>
    public ImageAugmentation? Augmentation { get; }

    /// <summary>What a model file or checkpoint of this run is saved with.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>Where <see cref="Fit"/> starts: the beginning, or the checkpoint's position.</summary>
    public TrainingPosition From { get; }

    /// <summary>The checkpoint this run continues, or null for a new run.</summary>
    public Checkpoint? ResumedFrom { get; }

    /// <summary>How many RBF layers had their centres placed by k-means when the run started, and how long it took.</summary>
    public (int Layers, TimeSpan Time) RbfCentresPlaced { get; private init; }

    /// <summary>
    /// A new run of the built <paramref name="net"/>. Normalises <paramref name="train"/> and <paramref name="test"/> in
    /// place (<see cref="TrainingOptions.Normalize"/>; auto fits on the training features), then places the centres of
    /// any <see cref="Rbf"/> layer by k-means (<see cref="RbfCentres"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown optimizer, schedule or loss name.</exception>
    /// <exception cref="FormatException">The normalisation or augmentation cannot be read.</exception>
    public static TrainingRun Start(Sequential net, Dataset train, Dataset? test, TrainingOptions options)
    {
        var loss = options.CreateLoss();
        var optimizer = options.CreateOptimizer();
        var schedule = options.CreateSchedule();
        var normalization = options.ResolveNormalization(train);
        train.Normalize(normalization);
        test?.Normalize(normalization);
        var clock = Stopwatch.StartNew();
        int rbf = RbfCentres.Initialise(net, train, options.Seed);
        var run = Build(net, loss, optimizer, schedule, train, test, options, normalization, null);
        return new TrainingRun(run.Options, run.Trainer, run.Loader, run.Test, run.Normalization, run.Augmentation, run.Metadata, run.From, null)
        {
            RbfCentresPlaced = (rbf, clock.Elapsed),
        };
    }

    /// <summary>
    /// Continues the run of the newest readable checkpoint in <paramref name="checkpointDir"/> (a damaged newer one is
    /// skipped and reported through <paramref name="skipped"/>); see <see cref="Resume(Checkpoint, Dataset, Dataset?, TrainingOptions?)"/>.
    /// </summary>
    public static TrainingRun Resume(string checkpointDir, Dataset train, Dataset? test, Action<string>? skipped = null) =>
        Resume(Checkpoint.LoadLatest(checkpointDir, skipped), train, test);

    /// <summary>
    /// Continues a checkpoint's run on the same training data (raw: it is normalised in place with the checkpoint's
    /// saved normalisation, as is <paramref name="test"/>): its network, its options (<see cref="OptionsKey"/>), its
    /// optimizer state, its loader's order and generator, from its position. <paramref name="options"/> is used only
    /// when the checkpoint holds none (one written before options were saved).
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint holds no options (and none are given), or does not fit the data.</exception>
    public static TrainingRun Resume(Checkpoint checkpoint, Dataset train, Dataset? test, TrainingOptions? options = null)
    {
        options = ReadOptions(checkpoint) ?? options
            ?? throw new InvalidDataException($"{checkpoint.Path}: no '{OptionsKey}' in the metadata; it was not written by TrainingRun");
        var net = checkpoint.Model.Net;
        if (!net.InputShape.AsSpan().SequenceEqual(train.SampleShape))
            throw new ShapeException($"{checkpoint.Path}: samples are {Tensor.Format(train.SampleShape)}, the checkpoint's model takes {Tensor.Format(net.InputShape)}");
        // A resumed run keeps the values it started with, even on other data.
        var normalization = checkpoint.Model.Metadata.Normalization;
        train.Normalize(normalization);
        test?.Normalize(normalization);
        var run = Build(net, options.CreateLoss(), options.CreateOptimizer(), options.CreateSchedule(), train, test, options, normalization, checkpoint);
        checkpoint.Restore(run.Trainer.Optimizer, run.Loader);
        return run;
    }

    private static TrainingRun Build(Sequential net, Loss loss, Optimizer optimizer, LearningRateSchedule schedule, Dataset train, Dataset? test,
        TrainingOptions options, Normalization normalization, Checkpoint? resumed)
    {
        var trainer = new Trainer(net, loss, optimizer) { Schedule = schedule };
        var loader = new DataLoader(train, options.Batch, shuffle: true, new Rng(options.Seed ^ Trainer.LoaderSeed));
        var augmentation = ImageAugmentation.Parse(options.Augment, train.SampleShape);
        if (augmentation is not null)
        {
            augmentation.Normalize(normalization);
            loader.Augment = augmentation.Apply;
        }
        var metadata = ModelMetadata.Describe(net, loss, train.ClassNames, normalization) with { Seed = options.Seed };
        return new TrainingRun(options, trainer, loader, test, normalization, augmentation, metadata, resumed?.Position ?? TrainingPosition.Start, resumed);
    }

    /// <summary>The options saved in a checkpoint, or null when it has none.</summary>
    /// <exception cref="InvalidDataException">They are there but cannot be read.</exception>
    public static TrainingOptions? ReadOptions(Checkpoint checkpoint)
    {
        if (!checkpoint.Metadata.TryGetValue(OptionsKey, out var json)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrainingOptions>(json) ?? throw new InvalidDataException($"{checkpoint.Path}: {OptionsKey} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{checkpoint.Path}: {OptionsKey} cannot be read: {e.Message}");
        }
    }

    /// <summary>
    /// Trains from <see cref="From"/> to the end of epoch <see cref="TrainingOptions.Epochs"/>, testing on <see cref="Test"/>
    /// after each epoch. Lazy, as <see cref="Trainer.Resume"/>: each epoch is yielded as it ends.
    /// </summary>
    public IEnumerable<EpochMetrics> Fit(CancellationToken cancellation = default) =>
        Trainer.Resume(Loader, Test, Options.Epochs, From, cancellation);

    /// <summary>
    /// Writes a checkpoint of the run at the trainer's current position into <paramref name="dir"/>, with the options and
    /// any <paramref name="extra"/> metadata (see <see cref="Checkpoint.Save"/>). Returns its path.
    /// </summary>
    public string SaveCheckpoint(string dir, IReadOnlyDictionary<string, string>? extra = null)
    {
        var all = new Dictionary<string, string>(extra ?? new Dictionary<string, string>()) { [OptionsKey] = JsonSerializer.Serialize(Options) };
        return Checkpoint.Save(dir, Trainer, Loader, Metadata, all);
    }
}
