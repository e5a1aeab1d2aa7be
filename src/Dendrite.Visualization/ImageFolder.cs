namespace Dendrite;

/// <summary>
/// A folder of images sorted into class folders, as torchvision's ImageFolder and ML.NET take them: either
/// <c>train/&lt;class&gt;/*</c> and <c>test/&lt;class&gt;/*</c>, or one tree of class folders split into train and test by
/// <see cref="ImageFolderOptions.TestFraction"/> (seeded, stratified: each class in the same proportion). Class names are
/// the training folder names, sorted; labels follow that order. Images (<see cref="ImageDecoder.Extensions"/>; other files
/// are ignored, and only files directly inside a class folder are read, so links cannot loop) are decoded on all cores,
/// resized to one size (by default the most common one) and kept grey or colour (by default colour when any file is).
/// </summary>
public static class ImageFolder
{
    /// <summary>Whether <paramref name="dir"/> looks like an image folder: it holds folders and no IDX files.</summary>
    public static bool Looks(string dir) =>
        Directory.Exists(dir) && Directory.EnumerateDirectories(dir).Any()
        && !Directory.EnumerateFiles(dir, "*-idx?-ubyte*").Any();

    /// <summary>Loads the train and test splits of <paramref name="dir"/>.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="dir"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// An empty class folder, a test class that training lacks, no class folders, or (unless
    /// <see cref="ImageFolderOptions.SkipBadImages"/>) an image that cannot be decoded; the message names the folder or file.
    /// </exception>
    public static ImageFolderData Load(string dir, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such directory");
        string trainDir = Path.Combine(dir, "train"), testDir = Path.Combine(dir, "test");
        List<(string File, int Label)> train, test;
        string[] classes;
        if (Directory.Exists(trainDir) && Directory.Exists(testDir))
        {
            (classes, train) = Classes(trainDir, null);
            (_, test) = Classes(testDir, classes);
        }
        else
        {
            (classes, var all) = Classes(dir, null);
            (train, test) = Split(all, options.TestFraction, options.Seed);
        }
        int skipped = 0;
        var shape = SampleShape(train.Concat(test), options, ref skipped, out var bad);
        long bytes = 4L * Tensor.Volume(shape) * (train.Count + test.Count - bad.Count);
        if (!options.Stream && options.MemoryLimit is long limit && bytes > limit)
            throw new MemoryLimitException($"{dir}: {train.Count + test.Count - bad.Count:N0} images of {Tensor.Format(shape)} need {MemoryEstimate.Format(bytes)} " +
                                           $"decoded, more than the {MemoryEstimate.Format(limit)} allowed; streaming them needs none of it");
        var trainSet = Decode(train.Where(f => !bad.Contains(f.File)).ToList(), shape, classes, options, ref skipped, Path.Combine(dir, "train"));
        var testSet = Decode(test.Where(f => !bad.Contains(f.File)).ToList(), shape, classes, options, ref skipped, Path.Combine(dir, "test"));
        return new ImageFolderData(trainSet, testSet, skipped);
    }

    /// <summary>
    /// Only the test split, as <paramref name="inputShape"/> ([C, H, W]) with <paramref name="classNames"/>' labels: what a
    /// model trained on such a folder is evaluated on. The test folder (or the split of one tree) is chosen as <see cref="Load"/> does.
    /// </summary>
    public static Dataset LoadTest(string dir, int[] inputShape, string[] classNames, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such directory");
        string testDir = Path.Combine(dir, "test");
        var test = Directory.Exists(testDir) && Directory.Exists(Path.Combine(dir, "train"))
            ? Classes(testDir, classNames).Files
            : Split(Classes(dir, classNames).Files, options.TestFraction, options.Seed).Test;
        int skipped = 0;
        if (options.Stream && options.SkipBadImages)
        {
            SampleShape(test, options, ref skipped, out var bad);
            test = test.Where(f => !bad.Contains(f.Item1)).ToList();
        }
        return Decode(test, inputShape, classNames, options, ref skipped, testDir);
    }

    // The class folders of dir, sorted, and their image files; with known classes, every folder must be one of them.
    private static (string[] Classes, List<(string File, int Label)> Files) Classes(string dir, string[]? known)
    {
        var folders = Directory.GetDirectories(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (folders.Length == 0) throw new InvalidDataException($"{dir}: no class folders (expected {dir}/<class>/<images>)");
        var classes = known ?? folders;
        var files = new List<(string, int)>();
        foreach (var name in folders)
        {
            int label = Array.IndexOf(classes, name);
            if (label < 0) throw new InvalidDataException($"{Path.Combine(dir, name)}: class '{name}' is not one of the training classes ({string.Join(", ", classes)})");
            var images = Directory.EnumerateFiles(Path.Combine(dir, name)).Where(f => ImageDecoder.Extensions.Contains(Path.GetExtension(f)))
                .Order(StringComparer.Ordinal).ToList();
            if (images.Count == 0) throw new InvalidDataException($"{Path.Combine(dir, name)}: an empty class folder (no {string.Join(", ", ImageDecoder.Extensions)} files)");
            files.AddRange(images.Select(f => (f, label)));
        }
        return (classes, files);
    }

    // Each class's files shuffled by the seed, the first round(fraction * count) of each to test.
    private static (List<(string, int)> Train, List<(string, int)> Test) Split(List<(string File, int Label)> all, double fraction, ulong seed)
    {
        var rng = new Rng(seed);
        var train = new List<(string, int)>();
        var test = new List<(string, int)>();
        foreach (var group in all.GroupBy(f => f.Label))
        {
            var members = group.ToArray();
            var order = Enumerable.Range(0, members.Length).ToArray();
            rng.Shuffle(order);
            var files = order.Select(i => members[i]).ToArray();
            int n = (int)Math.Round(fraction * files.Length);
            test.AddRange(files[..n]);
            train.AddRange(files[n..]);
        }
        return (train, test);
    }

    // [C, H, W] from the options, or from the headers: the most common size, colour when any file is.
    private static int[] SampleShape(IEnumerable<(string File, int Label)> files, ImageFolderOptions o, ref int skipped, out HashSet<string> bad)
    {
        bad = [];
        // Streamed images are decoded during training: their headers are read now so a bad file is known up front.
        if (o.Size is { } size && o.Channels is { } c && !o.Stream) return [c, size.Height, size.Width];
        var list = files.ToList();
        var headers = new (int W, int H, bool Grey)?[list.Count];
        var errors = new string?[list.Count];
        Parallel.For(0, list.Count, i =>
        {
            try { headers[i] = ImageDecoder.ReadHeader(list[i].File); }
            catch (InvalidDataException e) { errors[i] = e.Message; }
        });
        for (int i = 0; i < list.Count; i++)
            if (errors[i] is { } message)
            {
                if (!o.SkipBadImages) throw new InvalidDataException(message);
                bad.Add(list[i].File);
                skipped++;
            }
        var good = headers.OfType<(int W, int H, bool Grey)>().ToList();
        if (good.Count == 0) throw new InvalidDataException("no image could be read");
        var common = good.GroupBy(h => (h.H, h.W)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var (height, width) = o.Size ?? common;
        return [o.Channels ?? (good.All(h => h.Grey) ? 1 : 3), height, width];
    }

    private static Dataset Decode(List<(string File, int Label)> files, int[] shape, string[] classes, ImageFolderOptions o, ref int skipped, string name)
    {
        if (o.Stream)
            return new Dataset(new ImageFiles(files.Select(f => f.File).ToList(), shape, o.CentreCrop, name), [.. files.Select(f => f.Label)], classes.Length, classes);
        int size = Tensor.Volume(shape);
        var features = new float[(long)files.Count * size];
        var ok = new bool[files.Count];
        var errors = new string?[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            try
            {
                ImageDecoder.Load(files[i].File, features.AsSpan(i * size, size), shape[0], shape[1], shape[2], o.CentreCrop);
                ok[i] = true;
            }
            catch (InvalidDataException e) { errors[i] = e.Message; }
        });
        var first = Array.FindIndex(errors, e => e is not null);
        if (first >= 0 && !o.SkipBadImages) throw new InvalidDataException(errors[first]);
        int kept = ok.Count(k => k);
        skipped += files.Count - kept;
        if (kept < files.Count)
        {
            // Close the gaps the bad files left, keeping the order.
            var packed = new float[(long)kept * size];
            for (int i = 0, j = 0; i < files.Count; i++)
                if (ok[i]) features.AsSpan(i * size, size).CopyTo(packed.AsSpan(j++ * size, size));
            features = packed;
        }
        var labels = files.Where((_, i) => ok[i]).Select(f => f.Label).ToArray();
        return new Dataset(features, shape, labels, classes.Length, classes);
    }
}

/// <summary>How <see cref="ImageFolder"/> reads a folder.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Every image resized to this; null for the most common size among the files.</summary>
    public (int Height, int Width)? Size { get; init; }
    /// <summary>1 (grey) or 3 (RGB); null for 3 when any file is in colour, else 1.</summary>
    public int? Channels { get; init; }
    /// <summary>Crop each image to the target's aspect ratio around its centre before resizing (else it is stretched).</summary>
    public bool CentreCrop { get; init; }
    /// <summary>One tree of class folders: the share of each class held out for testing.</summary>
    public double TestFraction { get; init; } = 0.2;
    /// <summary>Seeds the split of one tree.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Leave out images that cannot be decoded (counted in <see cref="ImageFolderData.Skipped"/>) instead of failing.</summary>
    public bool SkipBadImages { get; init; }
    /// <summary>
    /// Refuse, with a <see cref="MemoryLimitException"/> before anything is decoded, when the decoded images of both splits
    /// (4 bytes a value) would take more bytes than this; null for no limit. A streamed folder is not limited.
    /// </summary>
    public long? MemoryLimit { get; init; }
    /// <summary>
    /// Decode images as training needs them instead of all up front (<see cref="ImageFiles"/>): memory holds the file
    /// names, not the pixels. Every header is still read first; a file whose header reads but whose pixels do not stops
    /// training with its name, even with <see cref="SkipBadImages"/>.
    /// </summary>
    public bool Stream { get; init; }
}

/// <summary>The splits of an image folder and how many bad images were left out.</summary>
public sealed record ImageFolderData(Dataset Train, Dataset Test, int Skipped);
