namespace Dendrite.Tests.IO;

public class ModelFileTests
{
    private static ModelMetadata Meta(Sequential net) =>
        ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), ["a", "b", "c", "d"], new Normalization(0.25f, 0.5f));

    private static byte[] Bytes(Sequential net, ModelMetadata meta)
    {
        var s = new MemoryStream();
        ModelFile.Writer(net, meta).WriteTo(s);
        return s.ToArray();
    }

    private static SavedModel Load(byte[] bytes) => ModelFile.Load(new MemoryStream(bytes), "m.safetensors");

    [Fact]
    public void Save_and_load_give_the_same_bits_and_outputs()
    {
        var net = SmallData.Net("dense(16),elu(0.5),dense(8,init=xavier,bias=false),leakyrelu(0.2),dense(4),softmax");
        var path = Path.Combine(SmallData.TempDir(), "m.safetensors");
        ModelFile.Save(path, net, Meta(net));
        var back = ModelFile.Load(path);

        Assert.Equal(net.Spec, back.Net.Spec);
        Assert.Equal(net.NamedParameters.Select(p => p.Name), back.Net.NamedParameters.Select(p => p.Name));
        for (int i = 0; i < net.Parameters.Count; i++)
            Assert.Equal(net.Parameters[i].Value.Span.ToArray(), back.Net.Parameters[i].Value.Span.ToArray());
        var x = TestData.Random(new Rng(9), 0f, 1f, 5, 1, 8, 8);
        Assert.Equal(net.Forward(x).Span.ToArray(), back.Net.Forward(x).Span.ToArray());

        var m = back.Metadata;
        Assert.Equal([1, 8, 8], m.InputShape);
        Assert.Equal(4, m.Outputs);
        Assert.Equal(["a", "b", "c", "d"], m.ClassNames!);
        Assert.Equal(new Normalization(0.25f, 0.5f), m.Normalization);
        Assert.Equal("cross-entropy", m.Loss);
        Assert.Equal(ModelMetadata.CurrentVersion, m.Version);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Tensor_names_are_pytorch_style()
    {
        var net = SmallData.Net();
        var f = SafeTensorsFile.Read(new MemoryStream(Bytes(net, Meta(net))), "m");
        Assert.Equal(["1.weight", "1.bias", "3.weight", "3.bias"], f.Entries.Select(e => e.Name));
        Assert.Equal([16, 64], f.Find("1.weight")!.Shape);
        Assert.Equal("flatten,dense(16),relu,dense(4),softmax", f.Metadata["spec"]);
        Assert.Equal("[1,8,8]", f.Metadata["input_shape"]);
    }

    /// <summary>Rewrites one metadata value of a valid file (the tensors stay as they are).</summary>
    private static byte[] WithMetadata(Sequential net, string key, string value)
    {
        var writer = ModelFile.Writer(net, Meta(net));
        writer.Metadata[key] = value;
        if (key == "classes") writer.Metadata.Remove("class_names");
        var s = new MemoryStream();
        writer.WriteTo(s);
        return s.ToArray();
    }

    [Theory]
    [InlineData("spec", "flatten,dense(17),relu,dense(4),softmax", "tensor '1.weight' is [16, 64], dense(17) needs [17, 64]")]
    [InlineData("spec", "flatten,dense(2000000000),relu,dense(4),softmax", "dense(2000000000) needs [2000000000, 64]")]
    [InlineData("spec", "flatten,dense(16),relu,dense(4),softmax,dense(3)", "no tensor '5.weight'")]
    [InlineData("spec", "flatten,dense(16),relu,dense(4)),softmax", "')' at character")]
    [InlineData("spec", "flatten,dense(16),relu,dense(4,bias=false),softmax", "tensor '3.bias' belongs to no layer")]
    [InlineData("input_shape", "[1,8,9]", "[16, 72]")]
    [InlineData("input_shape", "[65536,65536,65536]", "more than 67108864 values per sample")]
    [InlineData("input_shape", "[1,8,", "input_shape '[1,8,' is not valid")]
    [InlineData("classes", "5", "the metadata says 5 classes")]
    [InlineData("classes", "-1", "is not a count")]
    [InlineData("class_names", "[\"a\"]", "class_names does not hold 4 names")]
    [InlineData("normalize_std", "0", "normalize_std 0 must be positive")]
    [InlineData("loss", "hinge", "loss 'hinge' is not one Dendrite knows")]
    [InlineData("format", "other", "format is 'other'")]
    public void Refuses_metadata_that_does_not_match_the_tensors(string key, string value, string problem)
    {
        var net = SmallData.Net();
        var bytes = WithMetadata(net, key, value);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Load(bytes));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "refusing allocated more than 1 MiB");
        Assert.StartsWith("m.safetensors: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Save_refuses_metadata_of_another_network()
    {
        var net = SmallData.Net();
        var other = SmallData.Net("dense(4),softmax");
        Assert.Throws<ArgumentException>(() => ModelFile.Save(Path.Combine(SmallData.TempDir(), "m.safetensors"), net, Meta(other)));
    }

    [Fact]
    public void A_missing_file_is_file_not_found()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ModelFile.Load("/no/such/model.safetensors"));
        Assert.Equal("/no/such/model.safetensors: file not found", e.Message);
    }
}
