using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests;

/// <summary>
/// The gathered-tile transforms (lanes over tiles from any image and tile row) against the row-wise ones (lanes along
/// a tile row): the same arithmetic per tile, so the same bits, for the forward (with and without bias and ReLU), the
/// backward-data and the weight gradient. WinogradTests holds both against the definition.
/// </summary>
public class WinogradGatheredTests
{
    [Theory]
    [InlineData(3, 21UL)]
    [InlineData(5, 22UL)]
    public void Gathered_tiles_give_the_row_wise_bits_on_random_shapes(int r, ulong seed)
    {
        var rng = new Rng(seed);
        Engine twoThreads = new(2), oneThread = new(1), splitting = new(2, new KernelSettings { GemmParallelThreshold = 0 });
        int gatheredSomewhere = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            var s = WinogradTests.RandomShape(rng, r);
            // Larger batches too, so that blocks hold several images and vectors cross from one image to the next.
            if (trial % 4 == 0) s = s with { N = 5 + rng.NextInt(6) };
            var x = TestData.Random(rng, s.N, s.C, s.H, s.W).Span.ToArray();
            var w = TestData.Random(rng, s.O, s.C, r, r).Span.ToArray();
            var bias = trial % 2 == 0 ? TestData.Random(rng, s.O).Span.ToArray() : [];
            var dy = TestData.Random(rng, s.N, s.O, s.OutH, s.OutW).Span.ToArray();
            var start = TestData.Random(rng, s.O, s.C, r, r).Span.ToArray();
            bool relu = trial % 3 == 0;
            var results = new List<(float[] Y, float[] Dx, float[] Dw)>();
            // Rows, gathered, gathered on one thread, and both with every block of fewer images than threads split
            // by phases (the threshold is off: most of these shapes are too small to be split otherwise).
            foreach (var (gathered, engine) in new[] { (false, twoThreads), (true, twoThreads), (true, oneThread), (false, splitting), (true, splitting) })
            {
                var conv = new WinogradConvolution(s.C, s.H, s.W, s.O, r, s.PadTop, s.PadLeft, s.OutH, s.OutW) { GatherTiles = gathered };
                var y = new float[dy.Length];
                var dx = new float[x.Length];
                var dw = (float[])start.Clone();
                conv.Forward(engine, x, s.N, w, bias, y, relu);
                conv.BackwardData(engine, dy, s.N, w, dx);
                conv.WeightGradient(engine, x, dy, s.N, dw);
                results.Add((y, dx, dw));
            }
            Assert.Equal(results[0].Y, results[1].Y);
            Assert.Equal(results[0].Dx, results[1].Dx);
            Assert.Equal(results[0].Dw, results[1].Dw);
            for (int v = 2; v < results.Count; v++)
            {
                Assert.Equal(results[0].Y, results[v].Y);
                Assert.Equal(results[0].Dx, results[v].Dx);
                Assert.Equal(results[0].Dw, results[v].Dw);
            }
            if (results[1].Y.Any(v => v != 0f)) gatheredSomewhere++;
        }
        Assert.True(gatheredSomewhere > 30, $"only {gatheredSomewhere} trials had a nonzero output");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Adjoint_gives_every_filter_the_scalar_loops_bits(int r)
    {
        // 7 x 3 = 21 filters: five vectors of four and one left over for the scalar loop.
        int outC = 7, inC = 3, pairs = outC * inC;
        var rng = new Rng(31);
        var du = TestData.Random(rng, 36, pairs).Span.ToArray();
        var start = TestData.Random(rng, pairs, r * r).Span.ToArray();
        var dw = (float[])start.Clone();
        WinogradFilters.Adjoint(du, outC, inC, r, dw);
        var g = WinogradMatrices.For(r).G;
        for (int f = 0; f < pairs; f++)
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++)
                {
                    // Gᵀ du G in double, the terms summed in the kernel's order.
                    double sum = 0;
                    for (int c = 0; c < 6; c++)
                    {
                        double t = 0;
                        for (int k = 0; k < 6; k++) t += g[k, i] * (double)du[(6 * k + c) * pairs + f];
                        sum += t * g[c, j];
                    }
                    Assert.Equal(start[f * r * r + i * r + j] + (float)sum, dw[f * r * r + i * r + j]);
                }
    }

    [Fact]
    public void The_rules_gather_where_a_tile_row_leaves_most_lanes_empty_and_train_with_winograd_from_64_outputs()
    {
        Assert.True(WinogradConvolution.GathersTiles(1));
        Assert.True(WinogradConvolution.GathersTiles(2));
        Assert.False(WinogradConvolution.GathersTiles(4)); // 14x14: measured even
        Assert.True(WinogradConvolution.EnoughTiles(8, 8, 3));
        Assert.False(WinogradConvolution.EnoughTiles(7, 7, 3));
        Assert.False(WinogradConvolution.EnoughTiles(1, 64, 3)); // 16 tiles for 64 outputs: 576 multiplies either way
        Assert.False(WinogradConvolution.EnoughTiles(2, 2, 3));
        Assert.True(WinogradConvolution.EnoughTiles(14, 14, 5));
        Assert.False(WinogradConvolution.EnoughTiles(5, 5, 5));
    }
}
