using Dendrite.Tests.Cli;

namespace Dendrite.Tests.Blocks;

/// <summary>Blocks in spec strings: nesting, printing back, and bad specs that name the block.</summary>
// Swaps Console.Out (through Cli.Run or to read the example's output): one at a time with the other console tests.
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class BlockSpecTests
{
    [Theory]
    [InlineData("residual(conv(8,3,pad=1),relu,conv(8,3,pad=1)),relu,gap,dense(3)")]
    [InlineData("residual(conv(8,3,stride=2,pad=1),batchnorm),gap,dense(3)")]
    [InlineData("concat(conv(2,1),sequential(conv(3,3,pad=1),relu)),flatten,dense(3)")]
    [InlineData("sequential(conv(4,3),relu),residual(residual(conv(4,3,pad=1))),flatten,dense(3)")]
    public void Block_specs_print_back_as_written(string spec)
    {
        var net = ModelSpec.Build(spec, [1, 8, 8], 3, seed: 1);
        Assert.Equal(spec, net.Spec);
        Assert.Equal(spec, new Sequential(ModelSpec.Parse(net.Spec)).Spec);
    }

    [Theory]
    [InlineData("residual()", "spec item 1 'residual()': an empty block: give at least one layer")]
    [InlineData("conv(4,3),sequential( )", "spec item 2 'sequential( )': an empty block")]
    [InlineData("concat()", "spec item 1 'concat()': an empty block: give at least one branch")]
    [InlineData("residual(conv(8,3),relu", "unclosed '('")]
    [InlineData("residual(conv(8,3)),relu)", "')' at character 25 has no '('")]
    [InlineData("residual(conv(8,3),foo)", "spec item 1.2 'foo': unknown layer 'foo'")]
    [InlineData("residual(conv(8,x))", "spec item 1.1 'conv(8,x)': kernel 'x' is not a size")]
    [InlineData("residual(relu,,relu)", "spec item 1 'residual(relu,,relu)': empty argument")]
    [InlineData("residual(dense(4),p=2)", "spec item 1 'residual(dense(4),p=2)': unknown argument 'p'")]
    public void Bad_block_specs_name_the_block(string spec, string message)
    {
        var e = Assert.Throws<SpecException>(() => ModelSpec.Parse(spec));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("conv(4,3),residual(flatten,dense(10)),dense(3)",
        "layer 2 residual(flatten,dense(10)): the body maps [4, 6, 6] to [10]; a shortcut can only project an image to an image or a vector to a vector")]
    [InlineData("conv(4,3),residual(conv(8,3)),gap,dense(3)",
        "layer 2 residual(conv(8,3)): the body maps [4, 6, 6] to [8, 4, 4]; no 1x1 convolution with one stride projects the input to that size")]
    [InlineData("conv(4,3),concat(conv(4,3),conv(4,3,pad=1)),gap,dense(3)",
        "layer 2 concat(conv(4,3),conv(4,3,pad=1)): branch 1 gives [N, 4, 6, 6], branch 0 gives [N, 4, 4, 4]: branches must agree on every axis but the first")]
    [InlineData("conv(4,3),residual(conv(4,3,pad=1),dense(3)),gap,dense(3)",
        "layer 2 residual > body.1 dense(3): input [N, 4, 6, 6] needs flatten first")]
    public void Blocks_that_cannot_be_built_name_the_block(string spec, string message)
    {
        var e = Assert.Throws<SpecException>(() => ModelSpec.Build(spec, [1, 8, 8], 3, seed: 1));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("residual(conv(8,3),relu", "unclosed '('")]
    [InlineData("residual()", "'residual()': an empty block")]
    [InlineData("conv(4,3),residual(conv(8,3,stride=3)),gap,dense(10)", "layer 2 residual(conv(8,3,stride=3))", "no 1x1 convolution")]
    public void The_cli_refuses_bad_blocks_with_one_line(string spec, params string[] fragments) =>
        Cli.Cli.AssertBadInput(Cli.Cli.Run("summary", "--model", spec), fragments);
}
