using Dendrite.Tests.Cli;
using Dendrite.Visualization;

namespace Dendrite.Tests.Visualization;

/// <summary>Filters and activation maps of real convolution and pooling layers, in the library and from the command line.</summary>
[Collection(ConsoleCollection.Name)]
public class ConvolutionPictureTests : IDisposable
{
    private const string Small = "conv(6,3,pad=1),relu,maxpool(2),flatten,dense(10),softmax";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Maps_are_the_layers_own_outputs_after_the_activation()
    {
        var net = ModelSpec.Build(Small, [1, 8, 8], 10, 3);
        var x = TestData.Random(new Rng(4), 0f, 1f, 1, 1, 8, 8);
        var maps = ActivationMaps.Collect(net, x.Span);
        Assert.Equal(["input   1 x 8 x 8", "layer 1 conv(6,3,pad=1) + relu   6 x 8 x 8", "layer 3 maxpool(2)   6 x 4 x 4"], maps.Select(m => m.Caption));
        TestData.AssertClose(net.Forward(x, count: 2).Span, maps[1].Values.Span, 0f);
        TestData.AssertClose(net.Forward(x, count: 3).Span, maps[2].Values.Span, 0f);
        Assert.Equal(net.Layers[0], FilterGrid.Convolution(net, null));
        Assert.Equal(net.Layers[0], FilterGrid.FirstLayer(net)!.Value.Layer);

        using var image = ActivationMaps.Render(maps);
        // input: 8 x 8 at 7 px, one tile; conv: 8 x 8 at 7 px, 3 x 2 grid; pool: 4 x 4 at 14 px, 3 x 2 grid.
        int m = ActivationMaps.Margin, c = ActivationMaps.CaptionHeight, g = ActivationMaps.Gap;
        int expected = m + (c + 56 + 2 * g + m) + 2 * (c + 2 * 56 + 3 * g + m);
        Assert.Equal(expected, image.Height);
        Picture.AssertHasContent(image, 40);
    }

    [Fact]
    public void Batch_norm_and_activation_after_a_convolution_are_part_of_its_map()
    {
        var net = ModelSpec.Build("fashion", [1, 28, 28], 10, 2);
        var maps = ActivationMaps.Collect(net, Synthetic.Dataset(1, 3).Sample(0));
        Assert.StartsWith("layer 1 conv(32,3,pad=1) + batchnorm + relu   32 x 28 x 28", maps[1].Caption);
        Assert.StartsWith("layer 4 maxpool(2)   32 x 14 x 14", maps[2].Caption);
        Assert.All(maps.Skip(1), m => Assert.True(m.Label.Contains("maxpool") || m.Label.EndsWith("+ relu"), m.Label));
    }

    [Fact]
    public void Filters_and_activations_commands_draw_a_trained_convolutional_model()
    {
        _dir.WriteImageSet(120, 30);
        string model = _dir.File("conv.safetensors");
        var r = Cli.Cli.Run("train", "--data", _dir.Path, "--model", Small, "--epochs", "1", "--batch", "16", "--threads", "2", "--out", model);
        Assert.True(r.ExitCode == 0, r.ToString());

        string filters = _dir.File("filters.png");
        r = Cli.Cli.Run("filters", "--model", model, "--out", filters);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("layer 1 conv(6,3,pad=1), weights [6, 1, 3, 3]", r.Out);
        using (var image = Picture.Load(filters))
        {
            Assert.Equal((3 * 54 + 4 * 2, 2 * 54 + 3 * 2), (image.Width, image.Height)); // 3 x 2 grid of 3 x 3 filters at 18 px a weight
            Picture.AssertHasContent(image, 20);
        }
        Cli.Cli.AssertBadInput(Cli.Cli.Run("filters", "--model", model, "--layer", "3", "--out", filters), "layer 3 maxpool(2) is not a convolution");
        Cli.Cli.AssertBadInput(Cli.Cli.Run("filters", "--model", model, "--layer", "9", "--out", filters), "--layer", "1 to 6");

        string maps = _dir.File("maps.png");
        r = Cli.Cli.Run("activations", "--model", model, "--data", _dir.Path, "--index", "2", "--out", maps);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("layer 3 maxpool(2)   6 x 14 x 14", r.Out);
        using (var image = Picture.Load(maps)) Picture.AssertHasContent(image, 40);

        // A PNG of the same test image gives the same maps as --data --index.
        var (train, test) = IdxDataset.LoadDirectory(_dir.Path);
        string png = _dir.File("sample.png");
        using (var bitmap = Drawing.NewBitmap(28, 28, SkiaSharp.SKColors.Black))
        {
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    byte v = (byte)MathF.Round(test.Sample(2)[y * 28 + x] * 255);
                    bitmap.SetPixel(x, y, new SkiaSharp.SKColor(v, v, v));
                }
            Png.Save(bitmap, png);
        }
        string fromImage = _dir.File("maps-image.png");
        r = Cli.Cli.Run("activations", "--model", model, "--image", png, "--out", fromImage);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(File.ReadAllBytes(maps), File.ReadAllBytes(fromImage));
    }
}
