using System.Text;
using Dendrite.Cli;

namespace Dendrite.Fuzz;

/// <summary>
/// The entry points fuzzed, one per reader of outside input. Each takes the raw bytes of one input and must end in
/// success or in the reader's documented exception; anything else (an IndexOutOfRangeException, an OutOfMemoryException,
/// a hang) is a finding. AFL++ drives them through SharpFuzz (Program.cs); the tests replay the saved corpora through
/// the same methods in-process (tests/Dendrite.Tests/IO/FuzzCorpusTests.cs).
/// </summary>
public static class FuzzTargets
{
    /// <summary>Every target by name, as fuzz.sh and the corpus folders name them.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["idx"] = Idx,
        ["safetensors"] = SafeTensors,
        ["checkpoint"] = CheckpointFile,
        ["csv"] = Csv,
        ["spec"] = Spec,
        ["image"] = Image,
        ["image-header"] = ImageHeader,
        ["onnx"] = Onnx,
    };

    /// <summary>IdxFile.Read, plain or gzip (chosen by the gzip magic), images or labels (by the magic's last byte).</summary>
    public static void Idx(byte[] bytes)
    {
        bool gz = bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
        int dims = bytes.Length >= 4 && bytes[3] == 1 ? 1 : 3;
        Refused<InvalidDataException>(() =>
        {
            using var raw = new MemoryStream(bytes);
            using Stream s = gz ? new System.IO.Compression.GZipStream(raw, System.IO.Compression.CompressionMode.Decompress) : raw;
            IdxFile.Read(s, "fuzz", dims, bytes.Length, gz);
        });
    }

    /// <summary>ModelFile.Load: the safetensors header, the metadata, the spec in it, the shape checks, the values.</summary>
    public static void SafeTensors(byte[] bytes) =>
        Refused<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes), "fuzz.safetensors", Engine.Default));

    /// <summary>Checkpoint.Load from memory: the model as above, then the training state's metadata and tensors.</summary>
    public static void CheckpointFile(byte[] bytes) => Refused<InvalidDataException>(() => Checkpoint.Load(new MemoryStream(bytes), "fuzz.safetensors", Engine.Default));

    /// <summary>CsvTable.Parse, then TabularData.From with the last column as target.</summary>
    public static void Csv(byte[] bytes) => Refused<InvalidDataException>(() =>
    {
        var table = CsvTable.Parse(new StreamReader(new MemoryStream(bytes), Encoding.UTF8), "fuzz.csv");
        TabularData.From(table, table.Columns.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    });

    /// <summary>
    /// The spec grammar and the catalog: parsed, then built for [1, 8, 8] inputs within 1 MiB, small enough that a build's
    /// own work (rbf's nearest-centre widths are O(K^2 D)) stays well under AFL's 5 s, large enough for every layer type.
    /// </summary>
    public static void Spec(byte[] bytes)
    {
        string text = Encoding.UTF8.GetString(bytes);
        try
        {
            ModelSpec.Build(text, [1, 8, 8], 10, 1, Engine.Default, memoryLimit: 1L << 20);
        }
        catch (Exception e) when (e is SpecException or MemoryLimitException)
        {
        }
    }

    /// <summary>OnnxImporter.Import: the protobuf, the graph checks (ops, cycles, shapes, initialiser sizes) and the translation to layers.</summary>
    public static void Onnx(byte[] bytes) =>
        Refused<InvalidDataException>(() => OnnxImporter.Import(new MemoryStream(bytes), "fuzz.onnx", Engine.Default));

    /// <summary>The header checks alone (ImageDecoder.ReadHeader: format, size within MaxPixels), from memory: every image folder runs them on every file.</summary>
    public static void ImageHeader(byte[] bytes) => Refused<InvalidDataException>(() => ImageDecoder.ReadHeader(new MemoryStream(bytes), "fuzz.img"));

    /// <summary>The image reader's header checks and decode (ImageInput.Load), from a temporary file.</summary>
    public static void Image(byte[] bytes) => WithFile(bytes, "img", path => Refused<InvalidDataException>(() => ImageInput.Load(path, [1, 28, 28])));

    // Readers that take a path: the bytes in a temporary file of this process, deleted afterwards.
    private static void WithFile(byte[] bytes, string extension, Action<string> read)
    {
        string path = Path.Combine(Path.GetTempPath(), $"dendrite-fuzz-{Environment.ProcessId}.{extension}");
        File.WriteAllBytes(path, bytes);
        try
        {
            read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Refused<T>(Action read) where T : Exception
    {
        try
        {
            read();
        }
        catch (T)
        {
        }
    }
}
