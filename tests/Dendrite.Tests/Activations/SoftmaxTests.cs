namespace Dendrite.Tests.Activations;

public class SoftmaxTests
{
    private static Softmax Built(int features)
    {
        var layer = new Softmax();
        layer.Build([features], new Rng(1));
        return layer;
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var rng = new Rng(13);
        var x = TestData.Random(rng, -2f, 2f, 4, 5);
        TestData.AssertGradients(GradientCheck.CheckLayer(Built(5), x, rng));
    }

    [Fact]
    public void Softmax_of_1_2_3()
    {
        var y = Built(3).Forward(new Tensor([1f, 2f, 3f], 1, 3), training: false);
        TestData.AssertClose([0.0900306f, 0.2447285f, 0.6652410f], y.Span, 1e-6f);
    }

    [Fact]
    public void Each_row_is_its_own_distribution()
    {
        var y = Built(3).Forward(new Tensor([1f, 2f, 3f, 0f, 0f, 0f, -1f, 5f, -1f], 3, 3), training: false);
        TestData.AssertClose([0.0900306f, 0.2447285f, 0.6652410f, 1 / 3f, 1 / 3f, 1 / 3f, 0.00246652f, 0.99506694f, 0.00246652f], y.Span, 1e-5f);
    }

    [Fact]
    public void Is_stable_for_large_inputs()
    {
        var y = Built(2).Forward(new Tensor([1000f, 1001f, -1000f, -1001f], 2, 2), training: false);
        TestData.AssertClose([0.2689414f, 0.7310586f, 0.7310586f, 0.2689414f], y.Span, 1e-6f);
    }

    [Fact]
    public void Backward_is_y_times_dy_minus_its_mean_under_y()
    {
        // y = softmax([1, 2, 3]), dy = [1, 0, -1]: y.dy = 0.0900306 - 0.6652410 = -0.5752104
        var layer = Built(3);
        layer.Forward(new Tensor([1f, 2f, 3f], 1, 3), training: true);
        var dx = layer.Backward(new Tensor([1f, 0f, -1f], 1, 3));
        TestData.AssertClose([0.0900306f * 1.5752104f, 0.2447285f * 0.5752104f, 0.6652410f * -0.4247896f], dx.Span, 1e-5f);
    }

    [Fact]
    public void Rejects_an_image_input()
    {
        var e = Assert.Throws<ShapeException>(() => new Softmax().Build([1, 4, 4], new Rng(1)));
        Assert.Contains("flatten", e.Message);
    }
}
