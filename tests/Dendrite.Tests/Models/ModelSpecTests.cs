namespace Dendrite.Tests.Models;

/// <summary>The layer spec grammar: what it reads and how it names what it cannot.</summary>
public class ModelSpecTests
{
    [Fact]
    public void Parses_every_layer_with_its_arguments()
    {
        var layers = ModelSpec.Parse(" Dense(256) , relu,dense(128, init=xavier, bias=false),leakyrelu(0.1),elu(alpha=0.5),step(ste),step," +
                                     "sigmoid,tanh,gaussian,linear,flatten,dense(units=10),softmax");
        Assert.Collection(layers,
            l => Assert.Equal((256, Initializer.He, true), (((Dense)l).Units, ((Dense)l).Init, ((Dense)l).HasBias)),
            l => Assert.IsType<ReLU>(l),
            l => Assert.Equal((128, Initializer.Xavier, false), (((Dense)l).Units, ((Dense)l).Init, ((Dense)l).HasBias)),
            l => Assert.Equal(0.1f, Assert.IsType<LeakyReLU>(l).Slope),
            l => Assert.Equal(0.5f, Assert.IsType<Elu>(l).Alpha),
            l => Assert.True(Assert.IsType<Step>(l).StraightThrough),
            l => Assert.False(Assert.IsType<Step>(l).StraightThrough),
            l => Assert.IsType<Sigmoid>(l),
            l => Assert.IsType<Tanh>(l),
            l => Assert.IsType<Gaussian>(l),
            l => Assert.IsType<Linear>(l),
            l => Assert.IsType<Flatten>(l),
            l => Assert.Equal(10, Assert.IsType<Dense>(l).Units),
            l => Assert.IsType<Softmax>(l));
    }

    [Theory]
    [InlineData("dense(256),relu,dense(128),relu,dense(10),softmax")]
    [InlineData("dense(32,init=xavier,bias=false),leakyrelu(0.2),elu(0.5),step(ste),dense(10)")]
    [InlineData("flatten,dense(10),softmax")]
    public void A_canonical_spec_reads_back_as_itself(string spec)
    {
        Assert.Equal(spec, new Sequential(ModelSpec.Parse(spec)).Spec);
    }

    [Fact]
    public void Presets_expand_to_their_specs()
    {
        Assert.Equal("dense(256),relu,dense(128),relu,dense(10),softmax", ModelSpec.Resolve("MLP"));
        Assert.Equal("dense(10),softmax", ModelSpec.Resolve("perceptron"));
        Assert.Equal("dense(5)", ModelSpec.Resolve("dense(5)"));
    }

    [Fact]
    public void The_mlp_preset_on_28x28_images_has_235146_parameters()
    {
        var net = ModelSpec.Build("mlp", [1, 28, 28], 10, seed: 1);
        Assert.Equal(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, net.ParameterCount);
        Assert.Equal(235_146, net.ParameterCount);
        Assert.IsType<Flatten>(net.Layers[0]);
        Assert.Equal(["1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"], net.NamedParameters.Select(p => p.Name));
    }

    [Fact]
    public void A_preset_adapts_its_last_layer_to_the_class_count()
    {
        var net = ModelSpec.Build("perceptron", [784], 3, seed: 1);
        Assert.Equal([3], net.OutputShape);
    }

    [Theory]
    [InlineData("dense(10),foo", "spec item 2 'foo': unknown layer 'foo'")]
    [InlineData("dense(ten)", "spec item 1 'dense(ten)': units 'ten' is not a whole number")]
    [InlineData("dense(0)", "spec item 1 'dense(0)': units must be at least 1")]
    [InlineData("dense()", "spec item 1 'dense()': needs units")]
    [InlineData("dense(10", "unclosed '('")]
    [InlineData("dense(10),relu)", "')' at character 15 has no '('")]
    [InlineData("dense(10),,relu", "spec item 2 is empty")]
    [InlineData("dense(10),", "spec item 2 is empty")]
    [InlineData("dense(10,act=relu)", "spec item 1 'dense(10,act=relu)': unknown argument 'act'")]
    [InlineData("dense(10,init=gauss)", "spec item 1 'dense(10,init=gauss)': init 'gauss' is not one of he, xavier")]
    [InlineData("dense(10,bias=maybe)", "bias 'maybe' is not true or false")]
    [InlineData("dense(10,units=10)", "'units' given both by position and by name")]
    [InlineData("dense(10,init=he,init=xavier)", "'init' given twice")]
    [InlineData("dense(init=he,10)", "positional argument '10' after a named one")]
    [InlineData("dense(10,)", "empty argument")]
    [InlineData("dense(10)x", "spec item 1 'dense(10)x': text after ')'")]
    [InlineData("relu(3)", "spec item 1 'relu(3)': takes no arguments")]
    [InlineData("leakyrelu(0.1,2)", "takes at most 1 positional arguments, got 2")]
    [InlineData("leakyrelu(abc)", "slope 'abc' is not a number")]
    [InlineData("elu(nan)", "alpha 'nan' is not a number")]
    [InlineData("step(soft)", "spec item 1 'step(soft)': mode 'soft' is not 'ste'")]
    [InlineData("dense(10),re lu", "spec item 2 're lu': 're lu' is not a layer name")]
    [InlineData("", "empty model spec")]
    [InlineData("   ", "empty model spec")]
    public void Bad_specs_name_the_item_and_the_problem(string spec, string message)
    {
        var e = Assert.Throws<SpecException>(() => ModelSpec.Parse(spec));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void An_output_size_mismatch_says_how_to_fix_it()
    {
        var e = Assert.Throws<SpecException>(() => ModelSpec.Build("dense(64),relu,dense(5)", [1, 28, 28], 10, seed: 1));
        Assert.Equal("model output [5] does not match the data's 10 outputs; end the spec with dense(10)", e.Message);
    }

    [Fact]
    public void A_shape_error_while_building_becomes_a_spec_error_naming_the_layer()
    {
        var e = Assert.Throws<SpecException>(() => ModelSpec.Build("relu,dense(10)", [1, 28, 28], 10, seed: 1));
        Assert.Equal("layer 2 dense(10): input [N, 1, 28, 28] needs flatten first", e.Message);
    }
}
