namespace Dendrite.Tests.Layers;

/// <summary>Max pooling split over threads (large maps) gives the reference's values and argmax, so backward routes the same.</summary>
public class MaxPoolThreadsTests
{
    [Theory]
    [InlineData(28, 2, 2)]
    [InlineData(14, 2, 2)]
    [InlineData(15, 3, 2)]
    public void Threads_match_the_single_threaded_reference(int side, int kernel, int stride)
    {
        {
            var rng = new Rng(17);
            var x = TestData.Random(rng, 48, 32, side, side);
            var pool = new MaxPool2d(kernel, stride);
            pool.Engine = TestEngines.Of(2);
            pool.Build([32, side, side], rng);
            var y = pool.Forward(x, training: true);
            Assert.True(y.Length >= 1 << 16, "the map must be large enough for the threaded path");
            var expected = new float[y.Length];
            var argmax = new int[y.Length];
            Kernels.Pooling.MaxForwardReference(x.Span, 48 * 32, pool.Window, expected, argmax);
            TestData.AssertClose(expected, y.Span, 0f);

            var dy = TestData.Random(rng, y.Shape.ToArray());
            var dx = pool.Backward(dy);
            var expectedDx = new float[x.Length];
            for (int i = 0; i < argmax.Length; i++) expectedDx[argmax[i]] += dy.Span[i];
            TestData.AssertClose(expectedDx, dx.Span, 0f);
        }
    }
}
