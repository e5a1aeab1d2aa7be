using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests;

/// <summary>The direct stride-1 kernel against the double-precision reference, on ragged shapes and with ReLU.</summary>
public class DirectConvolutionTests
{
    [Theory]
    [InlineData(1, 1u)]
    [InlineData(2, 2u)]
    public void Forward_matches_the_reference_on_random_shapes(int threads, ulong seed) => WithThreads(threads, engine =>
    {
        var rng = new Rng(seed);
        int checkedShapes = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            // Output rows of 16 to 40 columns: one vector, one pair, a pair and an overlapping third.
            int n = 1 + rng.NextInt(3), c = 1 + rng.NextInt(4), o = 1 + rng.NextInt(9);
            int kh = 1 + rng.NextInt(5), kw = 1 + rng.NextInt(5);
            bool same = rng.NextInt(3) == 0;
            int padH = rng.NextInt(kh), padW = rng.NextInt(kw);
            int h = 1 + rng.NextInt(12), w = 16 + kw - 1 - 2 * padW + rng.NextInt(25);
            var g = Window2d.Create(h, w, kh, kw, 1, padH, padW, 1, same);
            if (g.OutH < 1 || !DirectConvolution.Supports(1, 1, g.OutH, g.OutW, kw)) continue;
            var conv = new DirectConvolution(c, h, w, o, kh, kw, g.PadTop, g.PadLeft, g.OutH, g.OutW);
            var x = TestData.Random(rng, n, c, h, w).Span.ToArray();
            var weight = TestData.Random(rng, o, c, kh, kw).Span.ToArray();
            var bias = trial % 2 == 0 ? TestData.Random(rng, o).Span.ToArray() : [];
            bool relu = trial % 3 == 0;
            var y = new float[n * o * g.OutPlane];
            y.AsSpan().Fill(float.NaN);
            conv.Forward(engine, x, n, weight, bias, y, relu);
            var expected = new float[y.Length];
            ConvolutionReference.Forward(x, n, c, weight, bias, o, g, expected);
            if (relu) for (int i = 0; i < expected.Length; i++) expected[i] = Math.Max(0f, expected[i]);
            TestData.AssertClose(expected, y, 1e-5f);
            checkedShapes++;
        }
        Assert.True(checkedShapes >= 25, $"only {checkedShapes} of 40 random shapes had rows of 16 outputs or more");
    });

    [Theory]
    [InlineData(1, 11u)]
    [InlineData(2, 12u)]
    public void Weight_gradient_matches_the_reference_and_accumulates(int threads, ulong seed) => WithThreads(threads, engine =>
    {
        var rng = new Rng(seed);
        int checkedShapes = 0;
        for (int trial = 0; trial < 30; trial++)
        {
            // Rows of 16 to 40 outputs (a ragged last vector), 3- and 5-wide kernels of any height, up to 11 images (several blocks).
            int n = 1 + rng.NextInt(11), c = 1 + rng.NextInt(3), o = 1 + rng.NextInt(6);
            int kw = rng.NextInt(2) == 0 ? 3 : 5, kh = 1 + rng.NextInt(5);
            int padH = rng.NextInt(kh), padW = rng.NextInt(kw);
            int h = 1 + rng.NextInt(10), w = 16 + kw - 1 - 2 * padW + rng.NextInt(25);
            var g = Window2d.Create(h, w, kh, kw, 1, padH, padW, 1);
            if (g.OutH < 1 || !DirectConvolution.Supports(1, 1, g.OutH, g.OutW, kw)) continue;
            var conv = new DirectConvolution(c, h, w, o, kh, kw, g.PadTop, g.PadLeft, g.OutH, g.OutW);
            Assert.True(conv.SupportsWeightGradient);
            var x = TestData.Random(rng, n, c, h, w).Span.ToArray();
            var dy = TestData.Random(rng, n, o, g.OutH, g.OutW).Span.ToArray();
            var start = TestData.Random(rng, o, c, kh, kw).Span.ToArray();
            var dw = (float[])start.Clone();
            conv.WeightGradient(engine, x, dy, n, dw);
            var expected = (float[])start.Clone();
            var weight = new float[start.Length];
            ConvolutionReference.Backward(x, n, c, weight, o, g, dy, new float[x.Length], expected);
            TestData.AssertClose(expected, dw, 1e-4f);
            checkedShapes++;
        }
        Assert.True(checkedShapes >= 20, $"only {checkedShapes} of 30 random shapes had rows of 16 outputs or more");
    });

    [Fact]
    public void Weight_gradient_is_the_same_for_any_thread_count()
    {
        var rng = new Rng(21);
        var conv = new DirectConvolution(2, 20, 24, 5, 5, 5, 2, 2, 20, 24);
        var x = TestData.Random(rng, 13, 2, 20, 24).Span.ToArray();
        var dy = TestData.Random(rng, 13, 5, 20, 24).Span.ToArray();
        var results = new List<int[]>();
        foreach (int threads in new[] { 1, 2, 3 })
            WithThreads(threads, engine =>
            {
                var dw = new float[5 * 2 * 25];
                conv.WeightGradient(engine, x, dy, 13, dw);
                results.Add(Array.ConvertAll(dw, BitConverter.SingleToInt32Bits));
            });
        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);
    }

    [Fact]
    public void Known_answer_for_one_3x3_filter_with_padding()
    {
        // A 1 x 16 image 0, 1, ..., 15 with padding 1 and the filter that sums the middle row of each window: each
        // output is its left neighbour + itself + its right neighbour, the padding counting 0; the bias adds 0.5.
        var conv = new DirectConvolution(1, 1, 16, 1, 3, 3, 1, 1, 1, 16);
        var x = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        float[] w = [0, 0, 0, 1, 1, 1, 0, 0, 0];
        var y = new float[16];
        conv.Forward(Engine.Default, x, 1, w, [0.5f], y);
        var expected = Enumerable.Range(0, 16).Select(i => (i == 0 ? 0 : i - 1) + i + (i == 15 ? 0 : i + 1) + 0.5f).ToArray();
        Assert.Equal(expected, y);
    }

    [Theory]
    [InlineData(1, 21u)]
    [InlineData(2, 22u)]
    public void Rows_narrower_than_a_vector_run_flat_and_match_the_reference(int threads, ulong seed) => WithThreads(threads, engine =>
    {
        var rng = new Rng(seed);
        int checkedShapes = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            // Rows of 1 to 15 outputs, as LeNet's 10x10 and a ResNet's 7x7 and 4x4 maps.
            int n = 1 + rng.NextInt(5), c = 1 + rng.NextInt(7), o = 1 + rng.NextInt(9);
            int kh = 1 + rng.NextInt(5), kw = 1 + rng.NextInt(5);
            int padH = rng.NextInt(kh), padW = rng.NextInt(kw);
            int h = kh + rng.NextInt(12), w = Math.Max(1, kw - 2 * padW) + rng.NextInt(15);
            var g = Window2d.Create(h, w, kh, kw, 1, padH, padW, 1);
            if (g.OutH < 1 || g.OutW < 1 || g.OutW >= 16 || !DirectConvolution.Supports(1, 1, g.OutH, g.OutW, kw)) continue;
            var conv = new DirectConvolution(c, h, w, o, kh, kw, g.PadTop, g.PadLeft, g.OutH, g.OutW);
            Assert.True(conv.Flat);
            Assert.False(conv.SupportsWeightGradient);
            var x = TestData.Random(rng, n, c, h, w).Span.ToArray();
            var weight = TestData.Random(rng, o, c, kh, kw).Span.ToArray();
            var bias = trial % 2 == 0 ? TestData.Random(rng, o).Span.ToArray() : [];
            bool relu = trial % 3 == 0;
            var y = new float[n * o * g.OutPlane + 7];
            y.AsSpan().Fill(float.NaN);
            conv.Forward(engine, x, n, weight, bias, y, relu);
            var expected = new float[n * o * g.OutPlane];
            ConvolutionReference.Forward(x, n, c, weight, bias, o, g, expected);
            if (relu) for (int i = 0; i < expected.Length; i++) expected[i] = Math.Max(0f, expected[i]);
            TestData.AssertClose(expected, y.AsSpan(0, expected.Length), 1e-5f);
            Assert.True(y.AsSpan(expected.Length).ToArray().All(float.IsNaN), "wrote past the output");
            checkedShapes++;
        }
        Assert.True(checkedShapes >= 20, $"only {checkedShapes} of 40 random shapes were narrow and supported");
    });

    [Fact]
    public void Planes_smaller_than_one_vector_strides_and_dilations_are_not_supported()
    {
        Assert.True(DirectConvolution.Supports(1, 1, 1, 15, 3)); // one row of 17 padded values
        Assert.False(DirectConvolution.Supports(1, 1, 2, 2, 3)); // 2 rows of 4
        Assert.False(DirectConvolution.Supports(2, 1, 32, 32, 3));
        Assert.False(DirectConvolution.Supports(1, 2, 32, 32, 3));
        Assert.Throws<ArgumentException>(() => new DirectConvolution(1, 4, 4, 4, 3, 3, 0, 0, 2, 2));
    }

    [Fact]
    public void Allocates_nothing_once_warm()
    {
        var rng = new Rng(4);
        var conv = new DirectConvolution(3, 20, 30, 6, 5, 5, 2, 2, 20, 30);
        var x = TestData.Random(rng, 4, 3, 20, 30).Span.ToArray();
        var weight = TestData.Random(rng, 6, 3, 5, 5).Span.ToArray();
        var y = new float[4 * 6 * 600];
        conv.Forward(Engine.Default, x, 4, weight, [], y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        conv.Forward(Engine.Default, x, 4, weight, [], y, relu: true);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void WithThreads(int threads, Action<Engine> body) => body(TestEngines.Of(threads));
}
