using Dendrite.Visualization;
using SkiaSharp;

namespace Dendrite.Tests.Visualization;

public class ActivationMapsTests
{
    [Fact]
    public void Each_volume_is_a_captioned_grid_of_its_channels_on_one_colour_scale()
    {
        var input = new Tensor(1, 4, 4);
        input.Span[5] = 1f;
        var volume = new Tensor(4, 2, 2); // channel 0 all zero, channel 3 holds the largest value
        for (int i = 4; i < 16; i++) volume.Span[i] = i / 16f;
        var maps = new[] { new FeatureMap("input", input), new FeatureMap("layer 3 pool", volume) };
        using var image = ActivationMaps.Render(maps);

        // input: 4 x 4 at 14 px a value, one tile: 56 + 2 gaps; volume: 2 x 2 at 28 px, 2 x 2 tiles: 2 * 56 + 3 gaps.
        int first = 4 * 14 + 2 * ActivationMaps.Gap, second = 2 * 56 + 3 * ActivationMaps.Gap;
        int m = ActivationMaps.Margin, caption = ActivationMaps.CaptionHeight;
        Assert.Equal(m + caption + first + m + caption + second + m, image.Height);
        Assert.True(image.Width >= second + 2 * m);

        int top = m + caption + first + m + caption + ActivationMaps.Gap, left = m + ActivationMaps.Gap;
        Picture.AssertPixel(image, left + 5, top + 5, Drawing.Viridis(0f));                       // channel 0: zeros, the volume's minimum
        Picture.AssertPixel(image, left + 56 + 2 + 56 - 3, top + 56 + 2 + 56 - 3, Drawing.Viridis(1f)); // channel 3's last value, the maximum
        Picture.AssertPixel(image, m + 2 + 14 + 3, m + caption + 2 + 14 + 3, new SKColor(255, 255, 255)); // the input's one bright pixel
        Assert.True(Picture.CountNear(image, SKRectI.Create(0, 0, image.Width, m + caption), Drawing.Ink, 30) > 20, "no caption text");
    }

    [Fact]
    public void A_network_without_convolution_or_pooling_has_only_its_input_to_show()
    {
        var net = ModelSpec.Build("mlp", [1, 28, 28], 10, 1);
        var data = Synthetic.Dataset(1, 5);
        var maps = ActivationMaps.Collect(net, data.Sample(0));
        Assert.Single(maps);
        Assert.Equal("input   1 x 28 x 28", maps[0].Caption);
        TestData.AssertClose(data.Sample(0), maps[0].Values.Span, 0f);
        Assert.DoesNotContain(net.Layers, ActivationMaps.Shows);
        var flat = ModelSpec.Build("mlp", [784], 10, 1);
        Assert.Throws<ShapeException>(() => ActivationMaps.Collect(flat, data.Sample(0)));
    }
}
