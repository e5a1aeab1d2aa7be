using Dendrite.Visualization;
using SkiaSharp;

namespace Dendrite.Tests.Visualization;

public class FilterGridTests
{
    [Theory]
    [InlineData(8, 1, 5, 5, 173, 173)]  // 3 x 3 grid of 5 x 5 filters at 11 px a weight: 3 * 55 + 4 gaps of 2
    [InlineData(6, 3, 3, 3, 170, 114)]  // colour: 3 columns, 2 rows, 18 px a weight
    [InlineData(4, 2, 3, 3, 54, 106)]   // 2 input channels: 4 rows (filters) x 2 columns (channels), 8 px a weight
    [InlineData(32, 1, 5, 5, 344, 344)] // the cnn preset's first layer: 6 x 6 grid
    public void Picture_size_follows_from_the_weight_shape(int outs, int ins, int kh, int kw, int width, int height)
    {
        var w = TestData.Random(new Rng(3), outs, ins, kh, kw);
        using var image = FilterGrid.Render(w);
        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal((width, height), FilterGrid.Size(w.Shape, FilterGrid.Scale(w.Shape)));
        Picture.AssertHasContent(image, 50);
    }

    [Fact]
    public void Each_filter_is_scaled_to_its_own_range()
    {
        // Filter 0 spans 0..0.003, filter 1 spans -100..100: both must use the whole black-to-white range.
        var w = new Tensor([0f, 1e-3f, 2e-3f, 3e-3f, -100f, -50f, 50f, 100f], 2, 1, 2, 2);
        using var image = FilterGrid.Render(w, scale: 1);
        Assert.Equal((10, 6), (image.Width, image.Height)); // 2 columns, 1 row of 2 x 2 tiles with 2 px gaps
        Picture.AssertPixel(image, 2, 2, new SKColor(0, 0, 0));
        Picture.AssertPixel(image, 3, 2, new SKColor(85, 85, 85));
        Picture.AssertPixel(image, 2, 3, new SKColor(170, 170, 170));
        Picture.AssertPixel(image, 3, 3, new SKColor(255, 255, 255));
        Picture.AssertPixel(image, 6, 2, new SKColor(0, 0, 0));
        Picture.AssertPixel(image, 7, 2, new SKColor(64, 64, 64));
        Picture.AssertPixel(image, 6, 3, new SKColor(191, 191, 191));
        Picture.AssertPixel(image, 7, 3, new SKColor(255, 255, 255));
        Picture.AssertPixel(image, 0, 0, Drawing.Gap);
    }

    [Fact]
    public void Three_input_channels_are_red_green_blue()
    {
        // R = [1, 0], G = [0, 0], B = [0, 1]: the left weight is pure red, the right pure blue.
        var w = new Tensor([1f, 0f, 0f, 0f, 0f, 1f], 1, 3, 1, 2);
        using var image = FilterGrid.Render(w, scale: 3);
        Assert.Equal((2 * 3 + 4, 3 + 4), (image.Width, image.Height));
        Picture.AssertPixel(image, 3, 3, new SKColor(255, 0, 0));
        Picture.AssertPixel(image, 6, 3, new SKColor(0, 0, 255));
    }

    [Fact]
    public void A_dense_first_layer_shows_each_unit_as_the_image_it_reads()
    {
        var net = ModelSpec.Build("mlp", [1, 28, 28], 10, 5);
        var first = FilterGrid.FirstLayer(net);
        Assert.NotNull(first);
        Assert.Equal([64, 1, 28, 28], first.Value.Weight.Shape.ToArray());
        var dense = (Dense)net.Layers[1];
        TestData.AssertClose(dense.Weight.Value.Span[..(2 * 784)], first.Value.Weight.Span[..(2 * 784)], 0f);
        using var image = FilterGrid.Render(first.Value.Weight);
        Assert.Equal(FilterGrid.Size(first.Value.Weight.Shape, 2), (image.Width, image.Height)); // 8 x 8 grid, 2 px a weight
        Picture.AssertHasContent(image, 100);
    }

    [Fact]
    public void Asking_for_filters_of_a_model_without_convolution_names_the_problem()
    {
        var net = ModelSpec.Build("mlp", [1, 28, 28], 10, 1);
        var e = Assert.Throws<ShapeException>(() => FilterGrid.Convolution(net, null));
        Assert.Contains("no convolution layer", e.Message);
        var e2 = Assert.Throws<ShapeException>(() => FilterGrid.Convolution(net, 2));
        Assert.Contains("layer 2 dense(256) is not a convolution", e2.Message);
        Assert.Throws<ShapeException>(() => FilterGrid.Render(new Tensor(3, 4)));
    }
}
