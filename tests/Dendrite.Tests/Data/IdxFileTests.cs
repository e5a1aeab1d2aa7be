namespace Dendrite.Tests.Data;

/// <summary>The IDX reader on files written here: what it reads, and how it refuses every kind of broken file.</summary>
public class IdxFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly byte[] Pixels = [0, 51, 102, 255, 1, 2, 3, 4, 10, 20, 30, 40];

    private string Images(string name = "images-idx3-ubyte") => _dir.Write(name, TempDirectory.Idx(0x803, [3, 2, 2], Pixels));
    private string Labels(string name = "labels-idx1-ubyte", params byte[] labels) =>
        _dir.Write(name, TempDirectory.Idx(0x801, [labels.Length], labels));

    private static void Fails<T>(string path, string expected, Action read) where T : Exception
    {
        var e = Assert.Throws<T>(read);
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void Reads_sizes_and_bytes(string name)
    {
        var idx = IdxFile.Read(Images(name), 3);
        Assert.Equal([3, 2, 2], idx.Dims);
        Assert.Equal(Pixels, idx.Data);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    public void Loads_images_and_labels_into_a_dataset(string suffix)
    {
        var d = IdxDataset.Load(Images("i" + suffix), Labels("l" + suffix, 2, 0, 1));
        Assert.Equal(3, d.Count);
        Assert.Equal([1, 2, 2], d.SampleShape);
        Assert.Equal(3, d.Classes);
        Assert.Equal([2, 0, 1], d.Labels);
        TestData.AssertClose([0f, 0.2f, 0.4f, 1f], d.Sample(0), 1e-6f);
        TestData.AssertClose([10 / 255f, 20 / 255f, 30 / 255f, 40 / 255f], d.Sample(2), 1e-6f);
    }

    [Fact]
    public void Limit_keeps_the_first_samples()
    {
        var d = IdxDataset.Load(Images(), Labels("l", 2, 0, 1), limit: 2);
        Assert.Equal(2, d.Count);
        Assert.Equal([2, 0], d.Labels);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("x.gz")]
    public void Wrong_magic(string name)
    {
        string path = _dir.Write(name, TempDirectory.Idx(0x801, [3, 2, 2], Pixels)); // labels magic on an image file
        Fails<InvalidDataException>(path, "magic 0x00000801, expected 0x00000803", () => IdxFile.Read(path, 3));
    }

    [Fact]
    public void Magic_of_another_element_type()
    {
        string path = _dir.Write("x", TempDirectory.Idx(0x0D03, [3, 2, 2], new byte[48])); // float32 elements
        Fails<InvalidDataException>(path, "magic", () => IdxFile.Read(path, 3));
    }

    [Theory]
    [InlineData("x", 2)]
    [InlineData("x", 9)]
    [InlineData("x.gz", 9)]
    public void Truncated_header(string name, int keep)
    {
        string path = _dir.Write(name, TempDirectory.Idx(0x803, [3, 2, 2], Pixels)[..keep]);
        Fails<InvalidDataException>(path, "truncated", () => IdxFile.Read(path, 3));
    }

    [Fact]
    public void Truncated_data()
    {
        string path = _dir.Write("x", TempDirectory.Idx(0x803, [3, 2, 2], Pixels)[..^2]);
        Fails<InvalidDataException>(path, "header claims 12 bytes of data, file holds 10", () => IdxFile.Read(path, 3));
    }

    [Fact]
    public void Truncated_data_in_a_gzip_file()
    {
        string path = _dir.Write("x.gz", TempDirectory.Idx(0x803, [3, 2, 2], Pixels)[..^2]);
        Fails<InvalidDataException>(path, "truncated", () => IdxFile.Read(path, 3));
    }

    [Fact]
    public void Trailing_bytes()
    {
        string path = _dir.Write("x", [.. TempDirectory.Idx(0x803, [3, 2, 2], Pixels), 7, 7]);
        Fails<InvalidDataException>(path, "file holds 14", () => IdxFile.Read(path, 3));
    }

    [Fact]
    public void Trailing_bytes_in_a_gzip_file()
    {
        string path = _dir.Write("x.gz", [.. TempDirectory.Idx(0x803, [3, 2, 2], Pixels), 7]);
        Fails<InvalidDataException>(path, "more data", () => IdxFile.Read(path, 3));
    }

    [Theory]
    [InlineData("x", 1_000_000_000, 1, 1)]        // a billion bytes claimed by a 28-byte file
    [InlineData("x.gz", 1_000_000_000, 1, 1)]     // more than deflate can expand a tiny file to
    [InlineData("x", 2_000_000_000, 28, 28)]      // more items than any array holds
    [InlineData("x.gz", 2_000_000_000, 28, 28)]
    public void A_header_claiming_billions_fails_fast_without_allocating(string name, int n, int h, int w)
    {
        string path = _dir.Write(name, TempDirectory.Idx(0x803, [n, h, w], Pixels));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Fails<InvalidDataException>(path, "header claims", () => IdxFile.Read(path, 3));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes before failing");
    }

    [Fact]
    public void A_zero_dimension()
    {
        string path = _dir.Write("x", TempDirectory.Idx(0x803, [3, 0, 2], []));
        Fails<InvalidDataException>(path, "dimension 1 is 0", () => IdxFile.Read(path, 3));
    }

    [Fact]
    public void A_gz_file_that_is_not_gzip()
    {
        string path = _dir.File("x.gz");
        File.WriteAllBytes(path, TempDirectory.Idx(0x803, [3, 2, 2], Pixels));
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void A_gzip_file_with_a_corrupt_body()
    {
        string path = _dir.Write("x.gz", TempDirectory.Idx(0x803, [30, 20, 20], new byte[12000]));
        var bytes = File.ReadAllBytes(path);
        for (int i = 12; i < bytes.Length - 8; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void Label_count_mismatch_names_both_files()
    {
        string images = Images(), labels = Labels("l", 1, 2);
        Fails<InvalidDataException>(labels, "2 labels for 3 images", () => IdxDataset.Load(images, labels));
        Fails<InvalidDataException>(images, "2 labels for 3 images", () => IdxDataset.Load(images, labels));
    }

    [Fact]
    public void Missing_file()
    {
        string path = _dir.File("nothing-here");
        Fails<FileNotFoundException>(path, "not found", () => IdxFile.Read(path, 1));
    }

    [Fact]
    public void A_directory_missing_one_file_names_it()
    {
        _dir.WriteImageSet(20, 10);
        File.Delete(_dir.File("t10k-labels-idx1-ubyte"));
        Fails<FileNotFoundException>(_dir.File("t10k-labels-idx1-ubyte"), "not found", () => IdxDataset.LoadDirectory(_dir.Path));
    }

    [Fact]
    public void A_missing_directory_names_it()
    {
        string path = _dir.File("no-such-dir");
        Fails<DirectoryNotFoundException>(path, "no such directory", () => IdxDataset.LoadDirectory(path));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    public void Loads_a_directory_plain_or_gzipped(string suffix)
    {
        _dir.WriteImageSet(30, 12, suffix, seed: 5);
        var (train, test) = IdxDataset.LoadDirectory(_dir.Path);
        Assert.Equal(30, train.Count);
        Assert.Equal(12, test.Count);
        Assert.Equal([1, 28, 28], train.SampleShape);
        var (pixels, labels) = Synthetic.ImageBytes(30, 5);
        Assert.Equal(labels.Select(l => (int)l), train.Labels);
        TestData.AssertClose(pixels.Take(784).Select(v => v / 255f).ToArray(), train.Sample(0), 1e-6f);
    }

    [Fact]
    public void Train_and_test_images_of_different_sizes()
    {
        _dir.WriteImageSet(4, 4);
        _dir.Write("t10k-images-idx3-ubyte", TempDirectory.Idx(0x803, [4, 2, 2], new byte[16]));
        var e = Assert.Throws<InvalidDataException>(() => IdxDataset.LoadDirectory(_dir.Path));
        Assert.Contains(_dir.Path, e.Message);
        Assert.Contains("[1, 28, 28]", e.Message);
    }
}
