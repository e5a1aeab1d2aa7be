namespace Dendrite.Tests.Models;

public class ConvSpecTests
{
    [Fact]
    public void The_cnn_preset_has_the_reference_layers_volumes_and_weights()
    {
        var net = ModelSpec.Build("cnn", [1, 28, 28], 10, 1);
        Assert.Equal("conv(32,5,pad=2),relu,maxpool(2),conv(64,5,pad=2),relu,maxpool(2),flatten,dense(128),relu,dense(10),softmax", net.Spec);
        string[] volumes = ["[32, 28, 28]", "[32, 28, 28]", "[32, 14, 14]", "[64, 14, 14]", "[64, 14, 14]", "[64, 7, 7]", "[3136]", "[128]", "[128]", "[10]", "[10]"];
        Assert.Equal(volumes, net.Layers.Select(l => Tensor.Format(l.OutputShape)));
        var weights = net.Layers.Where(l => l.Parameters.Count > 0).Select(l => l.Parameters.Sum(p => p.Length));
        Assert.Equal([832, 51_264, 401_536, 1_290], weights);
        Assert.Equal(454_922, net.ParameterCount);
        Assert.Equal(627_200, net.Layers[0].MultiplyAdds);    // 28*28 outputs x 32 filters x 25 taps
        Assert.Equal(10_035_200, net.Layers[3].MultiplyAdds); // 14*14 x 64 x 32*25
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"], net.NamedParameters.Select(p => p.Name));
    }

    [Fact]
    public void The_lenet5_preset_has_6_and_16_filters_and_120_84_10_units()
    {
        var net = ModelSpec.Build("lenet5", [1, 28, 28], 10, 1);
        string[] volumes = ["[6, 28, 28]", "[6, 28, 28]", "[6, 14, 14]", "[16, 10, 10]", "[16, 10, 10]", "[16, 5, 5]", "[400]",
            "[120]", "[120]", "[84]", "[84]", "[10]", "[10]"];
        Assert.Equal(volumes, net.Layers.Select(l => Tensor.Format(l.OutputShape)));
        Assert.Equal(61_706, net.ParameterCount);
    }

    [Fact]
    public void A_preset_follows_the_class_count_of_the_data()
    {
        var net = ModelSpec.Build("lenet5", [1, 28, 28], 26, 1);
        Assert.Equal([26], net.OutputShape);
    }

    [Theory]
    [InlineData("conv(16,5x3,stride=2,pad=1x2,dilation=2,bias=false)", "conv(16,5x3,stride=2,pad=1x2,dilation=2,bias=false)")]
    [InlineData("conv(16,kh=3,kw=1)", "conv(16,3x1)")]
    [InlineData("Conv2d(8, kernel=3, pad=same, init=xavier)", "conv(8,3,pad=same,init=xavier)")]
    [InlineData("conv(8,3,1,valid)", "conv(8,3)")]
    [InlineData("maxpool(3,2,1)", "maxpool(3,stride=2,pad=1)")]
    [InlineData("avgpool(2)", "avgpool(2)")]
    [InlineData("gap", "gap")]
    [InlineData("dropout(0.25)", "dropout(0.25)")]
    [InlineData("batchnorm", "batchnorm")]
    [InlineData("bn(momentum=0.01,eps=0.001)", "batchnorm(momentum=0.01,eps=0.001)")]
    public void Specs_parse_and_print_back(string spec, string printed)
    {
        var layer = Assert.Single(ModelSpec.Parse(spec));
        Assert.Equal(printed, layer.Spec);
        Assert.Equal(printed, Assert.Single(ModelSpec.Parse(printed)).Spec);
    }

    [Theory]
    [InlineData("conv(8,5),flatten,dense(10)", "1x3x3", "layer 1 conv(8,5): kernel 5x5 is larger than the padded input 3x3 (input [N, 1, 3, 3])")]
    [InlineData("conv(4,3,dilation=4),flatten,dense(10)", "1x8x8", "layer 1 conv(4,3,dilation=4): kernel 9x9 (3x3 dilated by 4) is larger than the padded input 8x8 (input [N, 1, 8, 8])")]
    [InlineData("conv(4,3),maxpool(2),maxpool(2),flatten,dense(10)", "1x4x4", "layer 3 maxpool(2): cannot pool a 1x1 map (input [N, 4, 1, 1])")]
    [InlineData("maxpool(5),flatten,dense(10)", "1x4x4", "layer 1 maxpool(5): window 5x5 is larger than the padded input 4x4 (input [N, 1, 4, 4])")]
    [InlineData("conv(4,3),dense(10)", "1x28x28", "layer 2 dense(10): input [N, 4, 26, 26] needs flatten first")]
    [InlineData("dense(10),conv(4,3)", "1x28x28", "layer 3 conv(4,3): input [N, 10] is not an image [N, C, H, W]")]
    [InlineData("conv(4,3),gap,gap,dense(10)", "1x8x8", "layer 3 gap: input [N, 4] is not an image [N, C, H, W]")]
    public void Impossible_shapes_name_the_layer_and_the_shapes(string spec, string input, string message)
    {
        int[] shape = [.. input.Split('x').Select(int.Parse)];
        var e = Assert.Throws<SpecException>(() => ModelSpec.Build(spec, shape, 10, 1));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("conv(32)", "spec item 1 'conv(32)': needs kernel (e.g. 5 or 5x3)")]
    [InlineData("conv(32,5,pad=-1)", "spec item 1 'conv(32,5,pad=-1)': pad '-1' is not a padding like 2, 2x1 or same")]
    [InlineData("conv(8,5x0)", "spec item 1 'conv(8,5x0)': kernel '5x0' is not a size like 5 or 5x3")]
    [InlineData("conv(8,kernel=3,kh=3)", "spec item 1 'conv(8,kernel=3,kh=3)': give kernel or kh and kw, not both")]
    [InlineData("conv(8,kh=3)", "spec item 1 'conv(8,kh=3)': needs kw")]
    [InlineData("conv(8,3,stride=0)", "spec item 1 'conv(8,3,stride=0)': stride must be at least 1, got 0")]
    [InlineData("conv(8,3,groups=2)", "spec item 1 'conv(8,3,groups=2)': unknown argument 'groups'")]
    [InlineData("maxpool(2,pad=2)", "spec item 1 'maxpool(2,pad=2)': pad 2 is more than half the kernel 2")]
    [InlineData("avgpool", "spec item 1 'avgpool': needs kernel")]
    [InlineData("gap(2)", "spec item 1 'gap(2)': takes no arguments")]
    [InlineData("dropout", "spec item 1 'dropout': needs p, the probability of dropping a value")]
    [InlineData("dropout(1.5)", "spec item 1 'dropout(1.5)': p must be in [0, 1), got 1.5")]
    [InlineData("batchnorm(momentum=2)", "spec item 1 'batchnorm(momentum=2)': momentum must be in (0, 1], got 2")]
    public void Bad_arguments_name_the_item(string spec, string message)
    {
        var e = Assert.Throws<SpecException>(() => ModelSpec.Parse(spec));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Every_new_layer_is_listed_in_the_grammar()
    {
        foreach (var name in new[] { "conv", "maxpool", "avgpool", "gap", "dropout", "batchnorm" })
            Assert.Contains(LayerCatalog.Names, n => n.Split('(', '[')[0] == name);
    }
}
