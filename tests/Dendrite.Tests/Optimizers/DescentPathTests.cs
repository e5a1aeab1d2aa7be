using Dendrite.Tests.IO;
using Dendrite.Tests.Visualization;
using Dendrite.Visualization;
using SkiaSharp;

namespace Dendrite.Tests.Optimizers;

/// <summary>Optimizers walking two-weight losses, and the picture of the walks.</summary>
public class DescentPathTests
{
    [Fact]
    public void Plain_descent_on_the_bowl_shrinks_the_point_by_one_minus_the_rate_each_step()
    {
        var path = DescentPath.Walk(LossSurface.Bowl, "sgd", 0.1f, 10);
        Assert.False(path.Diverged);
        Assert.Equal(11, path.Points.Count);
        for (int k = 0; k <= 10; k++)
        {
            Assert.Equal(-4 * Math.Pow(0.9, k), path.Points[k].X, 4);
            Assert.Equal(3 * Math.Pow(0.9, k), path.Points[k].Y, 4);
        }
    }

    [Fact]
    public void Too_large_a_rate_diverges_and_momentum_beats_plain_descent_along_the_valley()
    {
        var valley = LossSurface.Valley;
        Assert.True(DescentPath.Walk(valley, "sgd", valley.DivergingRate, valley.Steps).Diverged);
        Assert.True(DescentPath.Walk(LossSurface.Bowl, "sgd", LossSurface.Bowl.DivergingRate, 40).Diverged);
        var sgd = DescentPath.Walk(valley, "sgd", null, valley.Steps);
        var momentum = DescentPath.Walk(valley, "momentum", null, valley.Steps);
        Assert.False(sgd.Diverged);
        Assert.True(momentum.FinalLoss(valley) < sgd.FinalLoss(valley), $"momentum {momentum.FinalLoss(valley)} sgd {sgd.FinalLoss(valley)}");
        // Adam finds Rosenbrock's minimum (1, 1); plain descent is still on the valley floor far from it.
        var rosenbrock = LossSurface.Rosenbrock;
        var adam = DescentPath.Walk(rosenbrock, "adam", null, rosenbrock.Steps).Points[^1];
        Assert.True(Math.Abs(adam.X - 1) < 0.05 && Math.Abs(adam.Y - 1) < 0.05, $"adam ended at {adam}");
        Assert.True(DescentPath.Walk(rosenbrock, "sgd", null, rosenbrock.Steps).FinalLoss(rosenbrock) > 0.1);
    }

    [Fact]
    public void A_model_surface_is_the_networks_loss_and_its_gradient_matches_finite_differences()
    {
        var images = SmallData.Dataset(200, 4);
        var surface = LossSurface.ForBrightness(images, positive: 1, negative: 2);
        Assert.Equal(("weight w", "bias b"), surface.AxisNames);
        foreach (var (w, b) in new[] { (0.5, -0.3), (-2.0, 1.0), (3.0, 0.2) })
        {
            var (gw, gb) = surface.Gradient(w, b);
            const double h = 1e-2;
            double nw = (surface.Value(w + h, b) - surface.Value(w - h, b)) / (2 * h);
            double nb = (surface.Value(w, b + h) - surface.Value(w, b - h)) / (2 * h);
            Assert.Equal(nw, gw, 2);
            Assert.Equal(nb, gb, 2);
            Assert.True(Math.Abs(gw) + Math.Abs(gb) > 1e-3, "a gradient of zero checks nothing");
        }
        // The marked minimum is lower than the start and than points around it.
        double low = surface.Value(surface.Minimum.X, surface.Minimum.Y);
        Assert.True(low < surface.Value(surface.Start.X, surface.Start.Y));
        Assert.True(low <= surface.Value(surface.Minimum.X + 0.3, surface.Minimum.Y) && low <= surface.Value(surface.Minimum.X, surface.Minimum.Y - 0.3));
    }

    [Fact]
    public void A_network_with_more_than_two_weights_is_refused()
    {
        var net = new Sequential(new Dense(2)).Build([1]);
        var e = Assert.Throws<ArgumentException>(() => LossSurface.ForModel("x", net, new MeanSquaredError(), SmallData.Dataset(4, 1), (-1, 1), (-1, 1), (0, 0), new Dictionary<string, float>()));
        Assert.Contains("exactly two learnable values; dense(2) has 4", e.Message);
    }

    [Fact]
    public void The_picture_has_two_panels_with_every_path_drawn()
    {
        var s = LossSurface.Valley;
        var left = new[] { "sgd", "momentum", "adam" }.Select(o => DescentPath.Walk(s, o, null, s.Steps)).ToList();
        var right = new float[] { 0.0035f, 0.035f }.Select(r => DescentPath.Walk(s, "sgd", r, s.Steps)).ToList();
        using var image = DescentPlot.Render(s, left, right);
        Assert.Equal((2 * DescentPlot.PanelWidth, DescentPlot.PanelHeight), (image.Width, image.Height));
        for (int panel = 0; panel < 2; panel++)
        {
            var region = SKRectI.Create(panel * DescentPlot.PanelWidth, 0, DescentPlot.PanelWidth, DescentPlot.PanelHeight);
            int paths = panel == 0 ? 3 : 2;
            for (int i = 0; i < paths; i++)
                Assert.True(Picture.CountNear(image, region, DescentPlot.PathColour(i), 30) > 150, $"panel {panel} lacks path {i}");
            Assert.True(Picture.CountNear(image, region, DescentPlot.PathColour(3), 30) < 20, $"panel {panel} has a path too many");
        }
        Picture.AssertHasContent(image, 50);
    }
}
