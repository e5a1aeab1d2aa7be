using System.Buffers.Binary;
using SkiaSharp;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Data;

/// <summary>Image folders made here: colour classes in PNG, JPEG, WebP and BMP of mixed sizes, and damaged files.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class ImageFolderTests
{
    private static readonly string[] Classes = ["blue", "green", "red"];

    // Class k is an image mostly of colour k with noise; every fifth is 16x12 instead of 12x12.
    private static void Image(string path, int k, int index, Rng rng)
    {
        int w = index % 5 == 4 ? 16 : 12, h = 12;
        using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                byte Channel(int c) => (byte)(c == k ? 160 + rng.NextInt(96) : rng.NextInt(90));
                bitmap.SetPixel(x, y, new SKColor(Channel(2), Channel(1), Channel(0)));
            }
        if (path.EndsWith(".bmp")) File.WriteAllBytes(path, Bmp(bitmap));
        else
        {
            var format = Path.GetExtension(path) switch { ".png" => SKEncodedImageFormat.Png, ".jpg" => SKEncodedImageFormat.Jpeg, _ => SKEncodedImageFormat.Webp };
            using var data = bitmap.Encode(format, 95);
            File.WriteAllBytes(path, data.ToArray());
        }
    }

    // A 24-bit BMP, which SkiaSharp reads but does not write.
    private static byte[] Bmp(SKBitmap b)
    {
        int row = (b.Width * 3 + 3) & ~3, size = 54 + row * b.Height;
        var bytes = new byte[size];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), b.Width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), b.Height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
            {
                var c = b.GetPixel(x, b.Height - 1 - y);
                int at = 54 + y * row + 3 * x;
                (bytes[at], bytes[at + 1], bytes[at + 2]) = (c.Blue, c.Green, c.Red);
            }
        return bytes;
    }

    /// <summary>root/[split/]class/NNN.ext, <paramref name="perClass"/> images per class, formats in turn.</summary>
    internal static string Folder(string root, int perClass, params string[] splits)
    {
        var rng = new Rng(3);
        string[] formats = [".png", ".jpg", ".webp", ".bmp"];
        foreach (var split in splits.Length == 0 ? [""] : splits)
            for (int k = 0; k < Classes.Length; k++)
            {
                string dir = Path.Combine(root, split, Classes[k]);
                Directory.CreateDirectory(dir);
                for (int i = 0; i < perClass; i++) Image(Path.Combine(dir, $"{i:D3}{formats[i % 4]}"), k, i, rng);
            }
        return root;
    }

    [Fact]
    public void A_train_test_folder_loads_in_colour_at_the_most_common_size_with_sorted_class_names()
    {
        using var dir = new TempDirectory();
        Folder(dir.Path, 10, "train", "test");
        File.WriteAllText(Path.Combine(dir.Path, "train", "red", "notes.txt"), "not an image");
        var data = ImageFolder.Load(dir.Path);
        Assert.Equal([3, 12, 12], data.Train.SampleShape);
        Assert.Equal(Classes, data.Train.ClassNames);
        Assert.Equal(30, data.Train.Count);
        Assert.Equal(30, data.Test.Count);
        // The dominant channel of each image is its class's colour: blue (plane 2) for label 0, red (plane 0) for label 2.
        for (int i = 0; i < data.Train.Count; i++)
        {
            var x = data.Train.Sample(i).ToArray();
            var planes = Enumerable.Range(0, 3).Select(c => x.AsSpan(c * 144, 144).ToArray().Average()).ToArray();
            Assert.Equal(2 - data.Train.Labels[i], Array.IndexOf(planes, planes.Max()));
        }

        var grey = ImageFolder.Load(dir.Path, new ImageFolderOptions { Size = (8, 10), Channels = 1, CentreCrop = true });
        Assert.Equal([1, 8, 10], grey.Test.SampleShape);
    }

    [Fact]
    public void One_tree_splits_each_class_in_proportion_and_the_seed_fixes_the_split()
    {
        using var dir = new TempDirectory();
        Folder(dir.Path, 10);
        var a = ImageFolder.Load(dir.Path, new ImageFolderOptions { TestFraction = 0.3, Seed = 4 });
        Assert.Equal(21, a.Train.Count);
        Assert.Equal([3, 3, 3], a.Test.Labels.GroupBy(l => l).Select(g => g.Count()).ToArray());
        var b = ImageFolder.Load(dir.Path, new ImageFolderOptions { TestFraction = 0.3, Seed = 4 });
        Assert.Equal(a.Test.Features, b.Test.Features);
        var c = ImageFolder.Load(dir.Path, new ImageFolderOptions { TestFraction = 0.3, Seed = 5 });
        Assert.NotEqual(a.Test.Features, c.Test.Features);
    }

    [Fact]
    public void Train_eval_and_predict_on_a_colour_folder_print_the_class_names()
    {
        using var dir = new TempDirectory();
        Folder(dir.Path, 12, "train", "test");
        string model = dir.File("m.safetensors");
        var (code, stdout, err) = Run("train", "--data", dir.Path, "--model", "cnn", "--epochs", "4", "--batch", "8", "--normalize", "auto", "--out", model);
        Assert.True(code == 0, err);
        Assert.Contains("on 36 samples", stdout);
        var saved = ModelFile.Load(model);
        Assert.Equal([3, 12, 12], saved.Metadata.InputShape);
        Assert.Equal(Classes, saved.Metadata.ClassNames);

        (code, stdout, err) = Run("eval", "--model", model, "--data", dir.Path, "--json");
        Assert.True(code == 0, err);
        Assert.Contains("\"test_accuracy\":1", stdout);
        (code, stdout, err) = Run("predict", "--model", model, Path.Combine(dir.Path, "test", "green", "001.jpg"), "--top", "1");
        Assert.True(code == 0, err);
        Assert.Contains("001.jpg: green ", stdout);
    }

    [Fact]
    public void Bad_folders_and_bad_images_are_one_line_naming_them()
    {
        using var dir = new TempDirectory();
        Folder(dir.Path, 4, "train", "test");
        string png = Path.Combine(dir.Path, "train", "red", "000.png");
        var bytes = File.ReadAllBytes(png);
        File.WriteAllBytes(png, bytes[..(bytes.Length * 2 / 3)]);
        Assert.Contains($"{png}: the", AssertBadInput("train", "--data", dir.Path, "--model", "dense(3)", "--epochs", "1"));
        Assert.Contains($"{png}: the", Predict(dir, png));
        var (code, stdout, err) = Run("train", "--data", dir.Path, "--model", "dense(3)", "--epochs", "1", "--skip-bad-images");
        Assert.True(code == 0, err);
        Assert.Contains("skipped 1 images that cannot be decoded", stdout);

        // A PNG whose header claims 100000 x 100000 pixels is refused before decoding.
        var huge = bytes.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(huge.AsSpan(16), 100000);
        BinaryPrimitives.WriteInt32BigEndian(huge.AsSpan(20), 100000);
        uint crc = 0xFFFFFFFF; // the IHDR chunk's CRC over its type and data, so only the size lies
        foreach (byte b in huge.AsSpan(12, 17))
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
        }
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(29), ~crc);
        File.WriteAllBytes(png, huge);
        Assert.Contains("pixels is more than", AssertBadInput("train", "--data", dir.Path, "--model", "dense(3)", "--epochs", "1"));
        File.Delete(png);

        Directory.CreateDirectory(Path.Combine(dir.Path, "test", "purple"));
        Assert.EndsWith("class 'purple' is not one of the training classes (blue, green, red)", AssertBadInput("train", "--data", dir.Path, "--model", "dense(3)"));
        Directory.Delete(Path.Combine(dir.Path, "test", "purple"));
        foreach (var f in Directory.GetFiles(Path.Combine(dir.Path, "train", "red"))) File.Delete(f);
        Assert.Contains("red: an empty class folder", AssertBadInput("train", "--data", dir.Path, "--model", "dense(3)"));
    }

    // predict on a truncated image: the file is named, exit 2.
    private static string Predict(TempDirectory dir, string image)
    {
        string model = dir.File("p.safetensors");
        var net = ModelSpec.Build("dense(3)", [3, 12, 12], 3, seed: 1);
        ModelFile.Save(model, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        return AssertBadInput("predict", "--model", model, image);
    }
}

/// <summary>Colour IDX files ([N, C, H, W], magic 0x00000804) and presets sized by the data.</summary>
public class ColourIdxTests
{
    [Fact]
    public void A_4d_idx_folder_loads_as_colour_and_the_cnn_preset_fits_it()
    {
        using var dir = new TempDirectory();
        var pixels = new byte[5 * 3 * 4 * 6];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7);
        foreach (var prefix in new[] { "train", "t10k" })
        {
            dir.Write($"{prefix}-images-idx3-ubyte", TempDirectory.Idx(0x804, [5, 3, 4, 6], pixels));
            dir.Write($"{prefix}-labels-idx1-ubyte", TempDirectory.Idx(0x801, [5], new byte[] { 0, 8, 2, 3, 4 }));
        }
        var (train, test) = IdxDataset.LoadDirectory(dir.Path);
        Assert.Equal([3, 4, 6], train.SampleShape);
        Assert.Equal(9, test.Classes);
        Assert.Equal(pixels[100] / 255f, train.Features[100]);

        var net = ModelSpec.Build("cnn", [3, 32, 32], 9, seed: 1);
        Assert.Equal([9], net.OutputShape);
        Assert.Equal([32, 3, 5, 5], net.NamedParameters.First().Parameter.Value.Shape.ToArray());
    }
}

/// <summary>Brightness and contrast jitter: the formula by hand, and the same draw for every channel.</summary>
public class JitterTests
{
    [Fact]
    public void Adjust_scales_around_the_mean_and_shifts()
    {
        var x = new float[] { 0f, 0.5f, 1f, 0.5f };
        ImageAugmentation.Adjust(x, 2f, 0.1f);
        Assert.Equal([-0.4f, 0.6f, 1.6f, 0.6f], x.Select(v => MathF.Round(v, 5)).ToArray());
    }

    [Fact]
    public void Jitter_parses_prints_and_keeps_a_grey_image_grey_across_channels()
    {
        var a = ImageAugmentation.Parse("flip+jitter=0.3", [3, 2, 2])!;
        Assert.Equal("flip+jitter=0.3", a.ToString());
        Assert.Equal("jitter", ImageAugmentation.Parse("jitter", [3, 2, 2])!.ToString());
        Assert.Throws<FormatException>(() => ImageAugmentation.Parse("jitter=2", [3, 2, 2]));
        var image = new float[] { 0.2f, 0.4f, 0.6f, 0.8f, 0.2f, 0.4f, 0.6f, 0.8f, 0.2f, 0.4f, 0.6f, 0.8f };
        var before = (float[])image.Clone();
        ImageAugmentation.Parse("jitter", [3, 2, 2])!.Apply(image, new Rng(3));
        Assert.NotEqual(before, image);
        Assert.Equal(image[..4], image[4..8]);
        Assert.Equal(image[..4], image[8..]);
    }
}
