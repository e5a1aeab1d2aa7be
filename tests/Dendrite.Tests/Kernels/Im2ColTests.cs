using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests;

public class Im2ColTests
{
    [Fact]
    public void Gather_puts_each_window_in_a_column_with_zeros_for_padding()
    {
        // One 3x3 channel, 2x2 kernel, pad 1, stride 2: outputs at (-1,-1), (-1,1), (1,-1), (1,1).
        var g = Window2d.Create(3, 3, 2, 2, stride: 2, padH: 1, padW: 1, dilation: 1);
        Assert.Equal((2, 2), (g.OutH, g.OutW));
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var col = new float[4 * 4];
        Im2Col.Gather(x, 1, g, col, 4, 0);
        // Rows are kernel taps (0,0), (0,1), (1,0), (1,1); columns are the four outputs.
        float[] expected =
        [
            0, 0, 0, 5,
            0, 0, 4, 6,
            0, 2, 0, 8,
            1, 3, 7, 9,
        ];
        Assert.Equal(expected, col);
    }

    [Fact]
    public void ScatterAdd_is_the_adjoint_of_Gather()
    {
        // <Gather(x), c> = <x, ScatterAdd(c)> for any x and c: what makes backward-data correct.
        var rng = new Rng(5);
        for (int trial = 0; trial < 30; trial++)
        {
            var (channels, g) = RandomWindow(rng, channels: 3, smallest: 2, sizes: 8);
            if (g.OutH < 1 || g.OutW < 1) continue;
            int rows = channels * g.KernelArea, ld = 2 * g.OutPlane + 3, offset = 1 + g.OutPlane;
            var x = TestData.Random(rng, channels * g.InPlane).Span.ToArray();
            var c = TestData.Random(rng, rows * ld).Span.ToArray();
            var col = new float[rows * ld];
            Im2Col.Gather(x, channels, g, col, ld, offset);
            var back = new float[x.Length];
            Im2Col.ScatterAdd(c, ld, offset, channels, g, back);
            double left = 0, right = 0;
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < g.OutPlane; j++) left += (double)col[r * ld + offset + j] * c[r * ld + offset + j];
            for (int i = 0; i < x.Length; i++) right += (double)x[i] * back[i];
            Assert.True(Math.Abs(left - right) < 1e-4 * (1 + Math.Abs(left)), $"trial {trial}: {left} vs {right}");
            // Columns of other images in the shared matrix are left alone.
            Assert.All(col.AsSpan(0, offset).ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void The_offset_table_gives_the_same_bits_as_the_row_copies()
    {
        // The table path (short or strided rows) must copy and sum exactly as the row-by-row path; planes from 1 to
        // beyond one 8-lane vector, strides 1-3, pads 0-2, dilation 1-2, with other images' columns beside.
        var rng = new Rng(11);
        int checkedGeometries = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            var (channels, g) = RandomWindow(rng, channels: 4, smallest: 1, sizes: 12);
            if (g.OutH < 1 || g.OutW < 1) continue;
            int rows = channels * g.KernelArea, ld = 2 * g.OutPlane + 5, offset = 3 + g.OutPlane;
            var x = TestData.Random(rng, channels * g.InPlane).Span.ToArray();
            var table = Im2Col.Offsets(g);
            var byRows = TestData.Random(rng, rows * ld).Span.ToArray();
            var byTable = (float[])byRows.Clone();
            Im2Col.Gather(x, channels, g, byRows, ld, offset);
            Im2Col.GatherByTable(x, channels, g, table, byTable, ld, offset);
            Assert.Equal(byRows, byTable);

            var c = TestData.Random(rng, rows * ld).Span.ToArray();
            var dxRows = new float[x.Length];
            var dxTable = TestData.Random(rng, x.Length).Span.ToArray(); // cleared by the call
            Im2Col.ScatterAdd(c, ld, offset, channels, g, dxRows);
            Im2Col.ScatterAddByTable(c, ld, offset, channels, g, table, dxTable);
            Assert.Equal(TestData.Bits(dxRows), TestData.Bits(dxTable));
            checkedGeometries++;
        }
        Assert.True(checkedGeometries > 30, $"only {checkedGeometries} geometries had an output");
    }

    [Theory]
    [InlineData(28, 5, 1, 2, false, 28)]
    [InlineData(14, 5, 1, 0, false, 10)]
    [InlineData(7, 3, 2, 0, true, 4)]   // same: ceil(7 / 2)
    [InlineData(8, 3, 1, 0, false, 6)]
    [InlineData(2, 3, 1, 0, false, 0)]  // does not fit
    public void Output_size_follows_the_formula(int size, int kernel, int stride, int pad, bool same, int expected)
    {
        var g = Window2d.Create(size, size, kernel, kernel, stride, pad, pad, 1, same);
        Assert.Equal(expected, g.OutH);
        Assert.Equal(expected, g.OutW);
    }

    // 1 to `channels` channels, sides from `smallest` on (`sizes` of them), kernels 1-4, stride 1-3, pad 0-2,
    // dilation 1-2; the window may not fit (no output).
    private static (int Channels, Window2d G) RandomWindow(Rng rng, int channels, int smallest, int sizes)
    {
        int c = 1 + rng.NextInt(channels), h = smallest + rng.NextInt(sizes), w = smallest + rng.NextInt(sizes);
        return (c, Window2d.Create(h, w, 1 + rng.NextInt(4), 1 + rng.NextInt(4), 1 + rng.NextInt(3), rng.NextInt(3), rng.NextInt(3), 1 + rng.NextInt(2)));
    }
}
