using System.Buffers.Binary;
using System.Text;

namespace Dendrite.Tests.IO;

public class SafeTensorsTests
{
    /// <summary>A file assembled by hand from the format's definition, not by <see cref="SafeTensorsWriter"/>.</summary>
    private static byte[] File(string header, params float[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + 4 * data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + json.Length + 4 * i), data[i]);
        return bytes;
    }

    private static SafeTensorsFile Read(byte[] bytes) => SafeTensorsFile.Read(new MemoryStream(bytes), "x.safetensors");

    private static string Refused(byte[] bytes) => Assert.Throws<InvalidDataException>(() => Read(bytes)).Message;

    [Fact]
    public void Reads_a_file_written_by_hand_from_the_format()
    {
        var f = Read(File("""{"__metadata__":{"k":"v"},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"a":{"dtype":"F32","shape":[1,3],"data_offsets":[0,12]}}""",
            1, 2, 3, -0.5f, 7));
        Assert.Equal("v", f.Metadata["k"]);
        Assert.Equal(["a", "b"], f.Entries.Select(e => e.Name));
        Assert.Equal([1f, 2f, 3f], f.Floats(f.Find("a")!));
        Assert.Equal([1, 3], f.Find("a")!.Shape);
        Assert.Equal([-0.5f, 7f], f.Floats(f.Find("b")!));
    }

    [Fact]
    public void Writer_round_trips_every_bit_and_aligns_the_data()
    {
        var rng = new Rng(5);
        var values = new float[1000];
        rng.Normal(values, 3f);
        values[0] = -0f;
        values[1] = float.Epsilon;
        values[2] = BitConverter.Int32BitsToSingle(0x7FC00123); // a NaN with a payload
        var writer = new SafeTensorsWriter();
        writer.Metadata["spec"] = "dense(10),softmax \"quoted\"";
        writer.Add("0.weight", [10, 100], values);
        writer.Add("loader.order", [3], new[] { 2, 0, 1 });
        var stream = new MemoryStream();
        writer.WriteTo(stream);
        var bytes = stream.ToArray();

        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);
        var f = Read(bytes);
        var back = f.Floats(f.Find("0.weight")!);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), back.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal([2, 0, 1], f.Ints(f.Find("loader.order")!));
        Assert.Equal("dense(10),softmax \"quoted\"", f.Metadata["spec"]);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "overlap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "belong to no tensor")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "cover 4 bytes of the 8-byte")]
    [InlineData("""{"a":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}}""", "dtype BF16")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", "needs 12 bytes")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}}""", "outside the 8-byte data area")]
    [InlineData("""{"a":{"dtype":"F32","shape":[100000,100000,100000],"data_offsets":[0,8]}}""", "more values than")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", "bad dimension -2")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}}""", "appears twice")]
    [InlineData("""{"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "is not a string")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}""", "unknown field")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", "not valid JSON")]
    [InlineData("""[1,2]""", "does not start with '{'")]
    // Found by AFL++ (fuzz/regressions/safetensors/offset-as-string): TryGetInt64 threw InvalidOperationException on a string.
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":["0",8]}}""", "needs data_offsets [begin, end]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,null]}}""", "needs data_offsets [begin, end]")]
    [InlineData("""{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", "bad dimension \"2\"")]
    public void Refuses_a_bad_header_naming_the_file_and_problem(string header, string problem)
    {
        var message = Refused(File(header, 1, 2));
        Assert.StartsWith("x.safetensors: ", message);
        Assert.Contains(problem, message);
    }

    [Fact]
    public void Refuses_a_header_length_beyond_the_file_before_allocating_it()
    {
        var bytes = File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1UL << 40);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("header length 1099511627776 does not fit a", Refused(bytes));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
        Assert.Contains("too short", Refused([1, 2, 3]));
    }

    [Fact]
    public void Error_messages_stay_on_one_line()
    {
        var message = Refused(File("{\"a\\nb\":{\"dtype\":\"X\\n\",\"shape\":[1],\"data_offsets\":[0,4]}}", 1));
        Assert.DoesNotContain('\n', message);
        Assert.Contains("tensor 'a?b'", message);
    }
}
