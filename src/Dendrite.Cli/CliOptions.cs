using System.CommandLine;
using System.Globalization;

namespace Dendrite.Cli;

/// <summary>Options several commands share, and the checks that turn bad values into one-line errors.</summary>
public static class CliOptions
{
    /// <summary>JSON output: a NaN or infinite figure (a model whose loss overflowed) is written as the string "NaN" or "Infinity", still valid JSON.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

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

    public static Option<string> Device() => new("--device")
    {
        Description = "where to compute: cpu, cuda (the first NVIDIA GPU, through ILGPU; needs the driver, not the CUDA toolkit) or ilgpu-cpu (the same kernels on ILGPU's CPU accelerator, slow: for tests)",
        DefaultValueFactory = _ => "cpu",
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

    /// <summary>The engine --device and --threads ask for; an unknown device or a missing GPU is one line (exit 2).</summary>
    public static Engine Engine(int threads, string device)
    {
        if (device == "cpu") return Engine(threads);
        Positive(threads, "--threads");
        if (!Gpu.DeviceEngines.Names.Contains(device))
            throw new UsageException($"--device: unknown device '{device}'; choose {string.Join(", ", Gpu.DeviceEngines.Names)}");
        try
        {
            return Gpu.DeviceEngines.Create(device, threads);
        }
        catch (Gpu.DeviceUnavailableException e)
        {
            throw new UsageException($"--device {device}: {e.Message}");
        }
    }

    /// <summary>Puts a built network on its engine's device now, so a layer or optimizer the device lacks is one line (exit 2) before any work.</summary>
    public static void OnDevice(Sequential net, Optimizer? optimizer = null)
    {
        if (net.Engine.Backend is not { } backend) return;
        try
        {
            _ = net.Device;
            if (optimizer is not null && optimizer is not (GradientDescent or Momentum or Nesterov or Adam or RmsProp))
                throw new NotSupportedException($"optimizer {optimizer.Name} has no device update; train with --device cpu");
        }
        catch (NotSupportedException e)
        {
            throw new UsageException($"--device {backend.Name}: {e.Message}");
        }
    }

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

    public static Option<string?> MemoryLimit() => new("--memory-limit")
    {
        Description = "refuse models and data that would need more memory than this, e.g. 8G or 512M (default: the memory this process may use)",
    };

    /// <summary>The --memory-limit value in bytes: a number with an optional K, M, G or T (powers of 1024); null gives the default.</summary>
    public static long Bytes(string? text, string option)
    {
        if (text is null) return MemoryEstimate.DefaultLimit;
        string t = text.Trim().ToUpperInvariant().TrimEnd('B', 'I');
        long unit = t.Length == 0 ? 1 : t[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 1 };
        if (unit > 1) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || v * unit > long.MaxValue)
            throw new UsageException($"{option}: '{text}' is not a size like 8G, 512M or 1000000");
        return (long)(v * unit);
    }

    /// <summary>Refuses, before anything is allocated, a model whose training would need more than <paramref name="limit"/> bytes.</summary>
    public static void CheckTrainingMemory(string model, int[] sampleShape, int batch, long limit)
    {
        try
        {
            var estimate = MemoryEstimate.Of(new Sequential(ModelSpec.Parse(model)), sampleShape);
            estimate.Require(limit, batch, training: true);
        }
        catch (MemoryLimitException e)
        {
            throw new UsageException($"--model: {e.Message} (--memory-limit sets the limit)");
        }
        catch (ShapeException)
        {
            // The build that follows reports it, with the spec.
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
    public static (Dataset Train, Dataset Test) LoadData(string dir, int trainLimit = int.MaxValue, int testLimit = int.MaxValue, long? memoryLimit = null,
        ImageFolderOptions? images = null)
    {
        if (ImageFolder.Looks(dir))
        {
            ImageFolderData data;
            try { data = ImageFolder.Load(dir, (images ?? new ImageFolderOptions()) with { MemoryLimit = memoryLimit }); }
            catch (MemoryLimitException e) { throw new UsageException($"--data: {e.Message} (--memory-limit sets the limit; --stream reads images from disk as needed)"); }
            if (data.Skipped > 0) Console.WriteLine($"skipped {data.Skipped:N0} images that cannot be decoded");
            return (data.Train.Take(trainLimit), data.Test.Take(testLimit));
        }
        if (File.Exists(dir))
            throw new UsageException($"--data: {dir} is a file; give the folder that holds the IDX files");
        if (!Directory.Exists(dir))
            throw new UsageException(dir == IdxDataset.DefaultDirectory
                ? $"--data: {dir} does not exist; install Fashion-MNIST with: sudo apt-get install -y dataset-fashion-mnist"
                : $"--data: {dir} does not exist");
        if (images?.Stream == true) return IdxDataset.OpenDirectory(dir, trainLimit, testLimit); // only labels in memory
        if (memoryLimit is long limit)
        {
            // Bytes as read plus floats as used: five bytes a pixel, from the headers alone.
            long bytes = 0;
            foreach (var (stem, cap) in new[] { ("train", trainLimit), ("t10k", testLimit) })
                foreach (var suffix in new[] { "", ".gz" })
                {
                    string path = Path.Combine(dir, $"{stem}-images-idx3-ubyte{suffix}");
                    if (!File.Exists(path)) continue;
                    var d = IdxFile.ReadDims(path, 3);
                    // A header that claims more than the file can hold is the reader's to refuse, naming the file.
                    long claimed = d.Aggregate(1L, (v, x) => v * x), most = new FileInfo(path).Length * (suffix == "" ? 1 : 1032);
                    if (claimed > most) break;
                    bytes += claimed + 4L * Math.Min(d[0], cap) * (claimed / d[0]);
                    break;
                }
            if (bytes > limit)
                throw new UsageException($"--data: {dir} needs about {MemoryEstimate.Format(bytes)} in memory, more than the {MemoryEstimate.Format(limit)} allowed (--memory-limit sets the limit; --stream reads images from disk as needed; --train-limit reads fewer samples)");
        }
        return IdxDataset.LoadDirectory(dir, trainLimit, testLimit);
    }
}
