using System.CommandLine;
using System.Globalization;

namespace Dendrite.Cli;

/// <summary>Options several commands share, and the checks that turn bad values into one-line errors.</summary>
public static class CliOptions
{
    public static Option<string> Model(string fallback = "mlp") => new("--model", "-m")
    {
        Description = "a preset (mlp, perceptron, ...) or a layer spec such as dense(256),relu,dense(10)",
        DefaultValueFactory = _ => fallback,
    };

    public static Option<string> ModelFile() => new("--model", "-m")
    {
        Description = "a model file written by train --out (or a checkpoint file)",
        Required = true,
    };

    public static Option<string> Data() => new("--data")
    {
        Description = "folder with train/t10k IDX files (optionally .gz)",
        DefaultValueFactory = _ => IdxDataset.DefaultDirectory,
    };

    public static Option<ulong> Seed() => new("--seed") { Description = "random seed", DefaultValueFactory = _ => 1UL };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "compute threads (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public static Option<string> Input() => new("--input")
    {
        Description = "per-sample input shape, e.g. 1x28x28 or 784",
        DefaultValueFactory = _ => "1x28x28",
    };

    public static Option<string?> Spec() => new("--spec")
    {
        Description = "the layers (a preset or spec) of a --model file of weights saved elsewhere, e.g. a PyTorch state_dict as safetensors; its modules fill the spec's layers in order",
    };

    /// <summary>
    /// A Dendrite model file, or with <paramref name="spec"/> a file of weights saved elsewhere (a PyTorch state_dict)
    /// put into that spec built for samples of <paramref name="inputShape"/> (<see cref="ModelFile.Load(string, string, int[], Dendrite.Engine?)"/>).
    /// </summary>
    public static SavedModel LoadModel(string path, string? spec, Func<int[]> inputShape, Engine? engine = null)
    {
        if (spec is null) return Dendrite.ModelFile.Load(path, engine);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        return Dendrite.ModelFile.Load(path, spec, inputShape(), engine);
    }

    public static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option}: must be a positive whole number, got {value}");

    public static float Positive(float value, string option) =>
        value > 0 && float.IsFinite(value) ? value : throw new UsageException($"{option}: must be a positive number, got {value.ToString(CultureInfo.InvariantCulture)}");

    public static float NonNegative(float value, string option) =>
        value >= 0 && float.IsFinite(value) ? value : throw new UsageException($"{option}: must be zero or more, got {value.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The engine --threads asks for: the shared default when it is all cores, else a new one.</summary>
    public static Engine Engine(int threads) =>
        Positive(threads, "--threads") == Dendrite.Engine.Default.Threads ? Dendrite.Engine.Default : new Engine(threads);

    /// <summary>
    /// The --metrics file opened for writing (<see cref="MetricsLog.Open"/>), or null when no path is given; a resumed run
    /// keeps the lines of the epochs before <paramref name="resumeEpoch"/>.
    /// </summary>
    public static MetricsLog? OpenMetrics(string? path, int? resumeEpoch = null)
    {
        if (path is null) return null;
        try
        {
            return MetricsLog.Open(path, resumeEpoch);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--metrics: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--metrics: cannot write {path}: {e.Message}");
        }
    }

    /// <summary>Reads "1x28x28" or "784".</summary>
    public static int[] Shape(string text, string option)
    {
        var parts = text.Split('x', 'X', ',');
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] <= 0)
                throw new UsageException($"{option}: '{text}' is not a shape like 1x28x28 or 784");
        return dims;
    }

    /// <summary>Image folders' options (train --image-size, --channels, --crop, --skip-bad-images, --test-fraction, --seed).</summary>
    public static ImageFolderOptions ImageOptions(string? size, int? channels, bool crop, bool skip, double testFraction, ulong seed)
    {
        var shape = size is null ? null : Shape(size, "--image-size");
        if (shape is not null && shape.Length != 2) throw new UsageException($"--image-size: '{size}' is not HxW, e.g. 32x32");
        if (channels is not (null or 1 or 3)) throw new UsageException($"--channels: 1 (grey) or 3 (RGB), got {channels}");
        return new ImageFolderOptions
        {
            Size = shape is null ? null : (shape[0], shape[1]),
            Channels = channels,
            CentreCrop = crop,
            SkipBadImages = skip,
            TestFraction = testFraction,
            Seed = seed,
        };
    }

    /// <summary>
    /// Loads an image folder (<see cref="ImageFolder"/>: class folders, or train/ and test/ of class folders) or an IDX
    /// folder, or says how to get Fashion-MNIST when the default folder is missing.
    /// </summary>
    public static (Dataset Train, Dataset Test) LoadData(string dir, int trainLimit = int.MaxValue, int testLimit = int.MaxValue, ImageFolderOptions? images = null)
    {
        if (ImageFolder.Looks(dir))
        {
            var data = ImageFolder.Load(dir, images);
            if (data.Skipped > 0) Console.WriteLine($"skipped {data.Skipped:N0} images that cannot be decoded");
            return (data.Train.Take(trainLimit), data.Test.Take(testLimit));
        }
        if (File.Exists(dir))
            throw new UsageException($"--data: {dir} is a file; give the folder that holds the IDX files");
        if (!Directory.Exists(dir))
            throw new UsageException(dir == IdxDataset.DefaultDirectory
                ? $"--data: {dir} does not exist; install Fashion-MNIST with: sudo apt-get install -y dataset-fashion-mnist"
                : $"--data: {dir} does not exist");
        return IdxDataset.LoadDirectory(dir, trainLimit, testLimit);
    }
}
