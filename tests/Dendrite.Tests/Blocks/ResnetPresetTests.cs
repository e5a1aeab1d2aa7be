using Dendrite.Tests.IO;

namespace Dendrite.Tests.Blocks;

/// <summary>The resnet preset: its shape on any input size, and the training defaults it brings.</summary>
// Swaps Console.Out (through Cli.Run or to read the example's output): one at a time with the other console tests.
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class ResnetPresetTests
{
    [Theory]
    [InlineData(1, 28, 28, 10)]
    [InlineData(3, 32, 32, 9)]
    [InlineData(1, 8, 8, 4)]
    public void Builds_for_any_input_size_and_class_count(int c, int h, int w, int classes)
    {
        var net = ModelSpec.Build("resnet", [c, h, w], classes, seed: 1);
        Assert.Equal([classes], net.OutputShape);
        Assert.Equal(5, net.Layers.OfType<Residual>().Count());
        Assert.Equal(2, net.Layers.OfType<Residual>().Count(r => r.Projection is not null)); // the two stride-2 stages
    }

    [Fact]
    public void Has_the_stated_size_on_28x28()
    {
        var net = ModelSpec.Build("resnet", [1, 28, 28], 10, seed: 1);
        Assert.Equal(678_346, net.ParameterCount);
        Assert.Equal([128, 4, 4], net.Layers[^3].OutputShape);
    }

    [Fact]
    public void Train_uses_the_preset_defaults_unless_told_otherwise()
    {
        var data = SmallData.Folder(SmallData.TempDir(), 64, 32, 5);
        var r = Cli.Cli.Run("train", "--data", data, "--model", "resnet", "--epochs", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("adamw lr 0.003, batch 64", r.Out);
        Assert.Contains("augment shift+flip", r.Out);
        Assert.Contains("label smoothing 0.1", r.Out);
        Assert.Contains("inputs (x - ", r.Out);

        var explicitly = Cli.Cli.Run("train", "--data", data, "--model", "resnet", "--epochs", "1", "--lr", "0.01", "--augment", "none", "--batch", "16");
        Assert.True(explicitly.ExitCode == 0, explicitly.ToString());
        Assert.Contains("adamw lr 0.01, batch 16", explicitly.Out);
        Assert.DoesNotContain("augment", explicitly.Out);
    }
}
