namespace Dendrite;

/// <summary>
/// An MNIST-style folder: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
/// t10k-labels-idx1-ubyte, each optionally gzipped. Pixels are scaled to [0, 1]; images become [1, H, W], or
/// [C, H, W] from a 4-d image file (magic 0x00000804, [N, C, H, W], e.g. colour planes).
/// </summary>
public static class IdxDataset
{
    /// <summary>Where the command line looks for the data when no folder is given.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's classes in label order.</summary>
    public static readonly string[] FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// The train and test splits of <paramref name="dir"/>, cut to their first <paramref name="trainLimit"/> and
    /// <paramref name="testLimit"/> samples. The class count is the larger of the two splits' (highest label + 1); the
    /// class names are Fashion-MNIST's when the folder's path contains "fashion".
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="dir"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing, gzipped or not.</exception>
    /// <exception cref="InvalidDataException">A file is malformed (see <see cref="IdxFile"/>), image and label counts differ, or train and test images differ in size.</exception>
    public static (Dataset Train, Dataset Test) LoadDirectory(string dir, int trainLimit = int.MaxValue, int testLimit = int.MaxValue) =>
        Splits(dir, trainLimit, testLimit, stream: false);

    /// <summary>
    /// The train and test splits of <paramref name="dir"/> as <see cref="LoadDirectory"/> gives them, but streamed: the images
    /// stay on disk (<see cref="IdxSamples"/>) and are read as a loader needs them; only the labels are held in memory.
    /// The same values as the loaded sets, in the same order. Dispose each set's <see cref="Dataset.Source"/> when done.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="dir"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing, gzipped or not.</exception>
    /// <exception cref="InvalidDataException">As <see cref="LoadDirectory"/>.</exception>
    public static (Dataset Train, Dataset Test) OpenDirectory(string dir, int trainLimit = int.MaxValue, int testLimit = int.MaxValue) =>
        Splits(dir, trainLimit, testLimit, stream: true);

    private static (Dataset Train, Dataset Test) Splits(string dir, int trainLimit, int testLimit, bool stream)
    {
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"{dir}: no such directory");
        var names = dir.Contains("fashion", StringComparison.OrdinalIgnoreCase) ? FashionMnistClasses : null;
        string trainLabels = Find(dir, "train-labels-idx1-ubyte"), testLabels = Find(dir, "t10k-labels-idx1-ubyte");
        var (train, trainPresent) = LoadWithLabels(Find(dir, "train-images-idx3-ubyte"), trainLabels, trainLimit, names, stream);
        var (test, testPresent) = LoadWithLabels(Find(dir, "t10k-images-idx3-ubyte"), testLabels, testLimit, names, stream);
        RequireDense(trainPresent, testPresent, trainLabels, testLabels);
        if (!train.SampleShape.SequenceEqual(test.SampleShape))
            throw new InvalidDataException($"{dir}: train images are {Tensor.Format(train.SampleShape)}, test images {Tensor.Format(test.SampleShape)}");
        if (train.Classes != test.Classes)
        {
            int k = Math.Max(train.Classes, test.Classes);
            train = train.WithClasses(k, names);
            test = test.WithClasses(k, names);
        }
        return (train, test);
    }

    /// <summary>Only the test split (the t10k files), e.g. to evaluate a saved model.</summary>
    public static Dataset LoadTest(string dir, int limit = int.MaxValue) => Test(dir, limit, stream: false);

    /// <summary>Only the test split, streamed from disk as <see cref="OpenDirectory"/> streams it.</summary>
    public static Dataset OpenTest(string dir, int limit = int.MaxValue) => Test(dir, limit, stream: true);

    private static Dataset Test(string dir, int limit, bool stream)
    {
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"{dir}: no such directory");
        var names = dir.Contains("fashion", StringComparison.OrdinalIgnoreCase) ? FashionMnistClasses : null;
        return LoadWithLabels(Find(dir, "t10k-images-idx3-ubyte"), Find(dir, "t10k-labels-idx1-ubyte"), limit, names, stream).Data;
    }

    /// <summary>One image file and its label file.</summary>
    public static Dataset Load(string imagesPath, string labelsPath, int limit = int.MaxValue, string[]? classNames = null) =>
        LoadWithLabels(imagesPath, labelsPath, limit, classNames, stream: false).Data;

    // The class count is the highest label + 1: a stray label 255 among ten classes would make a 256-way output layer
    // without a word. A small set may miss a class or two, so only labels that leave most class numbers unused are refused.
    private static void RequireDense(bool[] a, bool[] b, string aPath, string bPath)
    {
        int top = -1, present = 0;
        for (int c = 0; c < a.Length; c++)
            if (a[c] || b[c])
            {
                top = c;
                present++;
            }
        if (top + 1 <= 2 * present) return;
        string where = a[top] ? aPath : bPath;
        int below = Enumerable.Range(0, top).Where(c => a[c] || b[c]).DefaultIfEmpty(-1).Max();
        throw new InvalidDataException($"{where}: label {top}, but only {present} distinct labels occur (the next highest is {below}); " +
                                       $"that would make {top + 1} classes, most never seen. Labels must number the classes 0 to K-1");
    }

    private static (Dataset Data, bool[] Present) LoadWithLabels(string imagesPath, string labelsPath, int limit, string[]? classNames, bool stream)
    {
        var source = stream ? IdxSamples.Open(imagesPath) : null;
        var images = stream ? null : IdxFile.Read(imagesPath, 3);
        try
        {
            var labels = IdxFile.Read(labelsPath, 1);
            int n = source?.Count ?? images!.Dims[0];
            if (labels.Dims[0] != n)
                throw new InvalidDataException($"{labelsPath}: {labels.Dims[0]} labels for {n} images in {imagesPath}");
            n = Math.Min(n, limit);
            var y = new int[n];
            int classes = 0;
            for (int i = 0; i < n; i++)
            {
                y[i] = labels.Data[i];
                classes = Math.Max(classes, y[i] + 1);
            }
            if (classNames is not null && classes > classNames.Length) classNames = null;
            if (classNames is not null) classes = classNames.Length;
            var present = new bool[256];
            foreach (byte label in labels.Data) present[label] = true;
            if (source is not null) return (new Dataset(source, y, classes, classNames), present);
            // [N, H, W] grey images, or [N, C, H, W] (colour) from a 4-d file.
            int[] shape = images!.Dims.Length == 4 ? images.Dims[1..] : [1, .. images.Dims[1..]];
            var features = new float[(long)n * Tensor.Volume(shape)];
            for (int i = 0; i < features.Length; i++) features[i] = images.Data[i] * (1f / 255f);
            return (new Dataset(features, shape, y, classes, classNames), present);
        }
        catch
        {
            source?.Dispose();
            throw;
        }
    }

    private static string Find(string dir, string stem)
    {
        foreach (var name in new[] { stem, stem + ".gz" })
        {
            var path = System.IO.Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{System.IO.Path.Combine(dir, stem)}: not found (nor {stem}.gz)");
    }
}
