using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dendrite;

/// <summary>
/// Everything besides the weights that rebuilds and feeds a saved model, stored as strings in the safetensors
/// header's <c>__metadata__</c>: the full layer spec, the per-sample input shape, the output count, the class
/// names when known, the input normalisation, the training loss and the Dendrite version that wrote it.
/// </summary>
public sealed record ModelMetadata
{
    /// <summary>The value of the "format" key that marks a Dendrite model file.</summary>
    public const string Format = "dendrite-model";
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 4 };
    private const int MaxSpecLength = 65536;
    private const int MaxInputValues = 1 << 26;
    private const int MaxOutputs = 1 << 20;

    /// <summary>The full layer spec, as <see cref="Sequential.Spec"/> writes it; rebuilding parses it.</summary>
    public required string Spec { get; init; }
    /// <summary>One sample's shape, without the batch dimension: [C, H, W] for images, [D] for features.</summary>
    public required int[] InputShape { get; init; }
    /// <summary>Width of the network's output: the class count, or the regression targets (stored under the key "classes").</summary>
    public required int Outputs { get; init; }
    /// <summary>Class names in label order, <see cref="Outputs"/> of them; null when unknown.</summary>
    public string[]? ClassNames { get; init; }
    /// <summary>What raw inputs go through before the first layer; <see cref="Normalization.None"/> by default.</summary>
    public Normalization Normalization { get; init; } = Normalization.None;
    /// <summary>The loss's name (<see cref="Dendrite.Loss.Name"/>): cross-entropy, mse or binary-cross-entropy.</summary>
    public string Loss { get; init; } = "cross-entropy";
    /// <summary>The Dendrite version that wrote the file.</summary>
    public string Version { get; init; } = CurrentVersion;
    /// <summary>
    /// For a model trained on a table: each feature's training mean, so that a raw row x feeds the network as
    /// (x - <see cref="FeatureMean"/>) / <see cref="FeatureStd"/>; null for other models. Stored as "feature_mean".
    /// </summary>
    public float[]? FeatureMean { get; init; }
    /// <summary>Each feature's training standard deviation (see <see cref="FeatureMean"/>); stored as "feature_std".</summary>
    public float[]? FeatureStd { get; init; }
    /// <summary>
    /// The seed the network's weights were first drawn with (a run by <see cref="TrainingRun"/> saves it), so the initial
    /// weights can be rebuilt (<see cref="SavedModel.Initial"/>); null when unknown. Stored as "seed".
    /// </summary>
    public ulong? Seed { get; init; }
    /// <summary>The table's feature column names, in input order; null when unknown. Stored as "feature_names".</summary>
    public string[]? FeatureNames { get; init; }
    /// <summary>
    /// For a model trained on one tree of image class folders: the share of each class held out for testing (split with
    /// <see cref="Seed"/>), so evaluating on that folder tests on the same images; null otherwise. Stored as "test_fraction".
    /// </summary>
    public double? TestFraction { get; init; }

    /// <summary>This library's version, as written into new files.</summary>
    public static string CurrentVersion { get; } =
        typeof(ModelMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ModelMetadata).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>Describes a built network trained on data with this shape and these classes.</summary>
    public static ModelMetadata Describe(Sequential net, Loss loss, string[]? classNames = null, Normalization? normalization = null)
    {
        if (!net.IsBuilt) throw new InvalidOperationException("build the network before saving it");
        int outputs = Tensor.Volume(net.OutputShape);
        if (classNames is not null && classNames.Length != outputs)
            throw new ArgumentException($"{classNames.Length} class names for {outputs} outputs", nameof(classNames));
        return new ModelMetadata
        {
            Spec = net.Spec,
            InputShape = net.InputShape.ToArray(),
            Outputs = outputs,
            ClassNames = classNames,
            Normalization = normalization ?? Normalization.None,
            Loss = loss.Name,
        };
    }

    /// <summary>A new instance of the loss the model was trained with, by its saved <see cref="Dendrite.Loss.Name"/> (<see cref="LossCatalog"/>).</summary>
    /// <exception cref="InvalidDataException">The name is not one <see cref="LossCatalog"/> knows.</exception>
    public Loss CreateLoss()
    {
        try
        {
            return LossCatalog.Create(Loss);
        }
        catch (ArgumentException)
        {
            throw new InvalidDataException($"loss '{SafeTensorsFile.Clip(Loss)}' is not one Dendrite knows");
        }
    }

    /// <summary>The name of class <paramref name="k"/>, or its number when the model has no names.</summary>
    public string ClassName(int k) => ClassNames is { } names ? names[k] : k.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes the fields into a safetensors header's metadata as strings: format, dendrite_version, spec, input_shape and
    /// class_names (JSON), classes, normalize_mean, normalize_std and loss; class_names only when there are names.
    /// </summary>
    public void WriteTo(IDictionary<string, string> metadata)
    {
        metadata["format"] = Format;
        metadata["dendrite_version"] = Version;
        metadata["spec"] = Spec;
        metadata["input_shape"] = JsonSerializer.Serialize(InputShape);
        metadata["classes"] = Outputs.ToString(CultureInfo.InvariantCulture);
        if (ClassNames is not null) metadata["class_names"] = JsonSerializer.Serialize(ClassNames, Json);
        metadata["normalize_mean"] = Normalization.FormatMeans();
        metadata["normalize_std"] = Normalization.FormatStds();
        metadata["loss"] = Loss;
        if (Seed is { } seed) metadata["seed"] = seed.ToString(CultureInfo.InvariantCulture);
        if (FeatureMean is not null) metadata["feature_mean"] = JsonSerializer.Serialize(FeatureMean);
        if (FeatureStd is not null) metadata["feature_std"] = JsonSerializer.Serialize(FeatureStd);
        if (FeatureNames is not null) metadata["feature_names"] = JsonSerializer.Serialize(FeatureNames, Json);
        if (TestFraction is { } fraction) metadata["test_fraction"] = fraction.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>A raw table row standardised as in training (in place); unchanged when the model has no feature statistics.</summary>
    public void StandardiseFeatures(Span<float> row)
    {
        if (FeatureMean is null || FeatureStd is null) return;
        for (int f = 0; f < row.Length; f++) row[f] = (row[f] - FeatureMean[f % FeatureMean.Length]) / FeatureStd[f % FeatureStd.Length];
    }

    /// <summary>Reads and checks the metadata of a model file; every problem names the file and the key.</summary>
    public static ModelMetadata Read(IReadOnlyDictionary<string, string> metadata, string path)
    {
        string Get(string key) => metadata.TryGetValue(key, out var v) ? v : throw Bad(path, $"__metadata__ has no '{key}' (not a Dendrite model file?)");
        if (Get("format") != Format) throw Bad(path, $"__metadata__ format is '{SafeTensorsFile.Clip(metadata["format"])}', expected '{Format}'");
        string spec = Get("spec");
        if (spec.Length > MaxSpecLength) throw Bad(path, $"spec is {spec.Length} characters long, more than {MaxSpecLength}");

        var input = ParseJson<int[]>(Get("input_shape"), "input_shape", path);
        if (input is null || input.Length is 0 or > 4 || input.Any(d => d <= 0))
            throw Bad(path, $"input_shape {SafeTensorsFile.Clip(metadata["input_shape"])} is not 1 to 4 positive sizes");
        long values = 1;
        foreach (int d in input)
            if ((values *= d) > MaxInputValues) throw Bad(path, $"input_shape {Tensor.Format(input)} has more than {MaxInputValues} values per sample");

        if (!int.TryParse(Get("classes"), NumberStyles.None, CultureInfo.InvariantCulture, out int outputs) || outputs is <= 0 or > MaxOutputs)
            throw Bad(path, $"classes '{SafeTensorsFile.Clip(metadata["classes"])}' is not a count from 1 to {MaxOutputs}");

        string[]? names = null;
        if (metadata.TryGetValue("class_names", out var rawNames))
        {
            names = ParseJson<string[]>(rawNames, "class_names", path);
            if (names is null || names.Length != outputs || names.Any(n => n is null))
                throw Bad(path, $"class_names does not hold {outputs} names");
        }

        // One number, or one per input channel, comma-separated.
        float[] Floats(string key) => [.. Get(key).Split(',').Select(t => ParseFloat(t, key, path))];
        var mean = Floats("normalize_mean");
        var std = Floats("normalize_std");
        if (std.FirstOrDefault(s => s <= 0, 1f) is var bad && bad <= 0) throw Bad(path, $"normalize_std {bad} must be positive");
        if (mean.Length != std.Length || mean.Length > 1 && (input.Length != 3 || input[0] != mean.Length))
            throw Bad(path, $"normalize_mean and normalize_std hold {mean.Length} and {std.Length} values for inputs {Tensor.Format(input)}; one each, or one per channel");

        int volume = input.Aggregate(1, (a, b) => a * b);
        float[]? Stats(string key, bool positive)
        {
            if (!metadata.TryGetValue(key, out var raw)) return null;
            var v = ParseJson<float[]>(raw, key, path);
            if (v is null || v.Length != volume || v.Any(x => !float.IsFinite(x) || (positive && x <= 0)))
                throw Bad(path, $"{key} does not hold {volume} finite{(positive ? " positive" : "")} numbers");
            return v;
        }
        var featureMean = Stats("feature_mean", false);
        var featureStd = Stats("feature_std", true);
        if ((featureMean is null) != (featureStd is null)) throw Bad(path, "feature_mean and feature_std come together");
        string[]? featureNames = null;
        if (metadata.TryGetValue("feature_names", out var rawFeatures))
        {
            featureNames = ParseJson<string[]>(rawFeatures, "feature_names", path);
            if (featureNames is null || featureNames.Length != volume || featureNames.Any(n => n is null))
                throw Bad(path, $"feature_names does not hold {volume} names");
        }

        ulong? seed = null;
        if (metadata.TryGetValue("seed", out var rawSeed))
            seed = ulong.TryParse(rawSeed, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
                : throw Bad(path, $"seed '{SafeTensorsFile.Clip(rawSeed)}' is not a whole number");

        var result = new ModelMetadata
        {
            Seed = seed,
            FeatureMean = featureMean,
            FeatureStd = featureStd,
            FeatureNames = featureNames,
            TestFraction = metadata.TryGetValue("test_fraction", out var rawFraction)
                ? double.TryParse(rawFraction, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f is >= 0 and < 1 ? f
                    : throw Bad(path, $"test_fraction '{SafeTensorsFile.Clip(rawFraction)}' is not a share in [0, 1)")
                : null,
            Spec = spec,
            InputShape = input,
            Outputs = outputs,
            ClassNames = names,
            Normalization = new Normalization(mean, std),
            Loss = Get("loss"),
            Version = Get("dendrite_version"),
        };
        try
        {
            result.CreateLoss();
        }
        catch (InvalidDataException e)
        {
            throw Bad(path, e.Message);
        }
        return result;
    }

    private static T? ParseJson<T>(string text, string key, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json);
        }
        catch (JsonException)
        {
            throw Bad(path, $"{key} '{SafeTensorsFile.Clip(text)}' is not valid");
        }
    }

    private static float ParseFloat(string text, string key, string path) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
            ? v : throw Bad(path, $"{key} '{SafeTensorsFile.Clip(text)}' is not a number");

    private static InvalidDataException Bad(string path, string message) => new($"{path}: {message}");
}
