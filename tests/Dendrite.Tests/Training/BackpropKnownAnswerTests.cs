namespace Dendrite.Tests.Training;

/// <summary>
/// The lecture's backprop slides as a test: a 2-2-1 network of sigmoids, x -> A1 = W1 x + b1 -> Z1 = s(A1)
/// -> A2 = W2 Z1 + b2 -> yhat = s(A2), J = 1/2 (y - yhat)^2. Everything expected is worked out here in double.
/// </summary>
public class BackpropKnownAnswerTests
{
    private static readonly double[] X = [0.05, 0.10];
    private const double Y = 0.01;
    private static readonly double[,] W1 = { { 0.15, 0.20 }, { 0.25, 0.30 } };
    private static readonly double[] B1 = [0.35, 0.35];
    private static readonly double[] W2 = [0.40, 0.45];
    private const double B2 = 0.60;

    private static double S(double a) => 1 / (1 + Math.Exp(-a));

    private static Sequential Network()
    {
        var net = new Sequential(new Dense(2), new Sigmoid(), new Dense(1), new Sigmoid()).Build([2], seed: 1);
        var d1 = (Dense)net.Layers[0];
        var d2 = (Dense)net.Layers[2];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) d1.Weight.Value.Span[i * 2 + j] = (float)W1[i, j];
        for (int i = 0; i < 2; i++) d1.Bias!.Value.Span[i] = (float)B1[i];
        for (int i = 0; i < 2; i++) d2.Weight.Value.Span[i] = (float)W2[i];
        d2.Bias!.Value.Span[0] = (float)B2;
        return net;
    }

    /// <summary>Forward and backward by hand: the loss and dJ/dW1, dJ/db1, dJ/dW2, dJ/db2.</summary>
    private static (double J, double[,] GW1, double[] GB1, double[] GW2, double GB2) ByHand()
    {
        var a1 = new double[2];
        var z1 = new double[2];
        for (int i = 0; i < 2; i++)
        {
            a1[i] = W1[i, 0] * X[0] + W1[i, 1] * X[1] + B1[i];
            z1[i] = S(a1[i]);
        }
        double a2 = W2[0] * z1[0] + W2[1] * z1[1] + B2;
        double yhat = S(a2);
        double j = 0.5 * (Y - yhat) * (Y - yhat);
        // dJ/dA2 = (yhat - y) s'(A2), with s'(A2) = yhat (1 - yhat); dJ/dW2 = dJ/dA2 Z1.
        double delta2 = (yhat - Y) * yhat * (1 - yhat);
        double[] gw2 = [delta2 * z1[0], delta2 * z1[1]];
        var gw1 = new double[2, 2];
        var gb1 = new double[2];
        for (int i = 0; i < 2; i++)
        {
            double delta1 = delta2 * W2[i] * z1[i] * (1 - z1[i]);
            gb1[i] = delta1;
            for (int k = 0; k < 2; k++) gw1[i, k] = delta1 * X[k];
        }
        return (j, gw1, gb1, gw2, delta2);
    }

    private static double Backprop(Sequential net)
    {
        var x = new Tensor([(float)X[0], (float)X[1]], 1, 2);
        var y = new Tensor([(float)Y], 1, 1);
        var grad = new Tensor(1, 1);
        net.ZeroGrad();
        var yhat = net.Forward(x, training: true);
        double loss = new MeanSquaredError().Compute(yhat, y, grad);
        net.Backward(grad);
        return loss;
    }

    [Fact]
    public void Hand_computed_values_are_the_lecture_example()
    {
        // Guards the expected values themselves: the classic worked example (Mazur's) gives these to 9 digits.
        // (Mazur's net has a second output; its first output's loss and w5, w6 gradients do not depend on it.)
        var (j, _, _, gw2, gb2) = ByHand();
        Assert.Equal(0.274811083, j, 8);
        Assert.Equal(0.082167041, gw2[0], 8);
        Assert.Equal(0.138498562, gb2, 8);
    }

    [Fact]
    public void Backprop_gives_dJ_dW2_equal_to_the_hand_computed_chain_rule()
    {
        var net = Network();
        double loss = Backprop(net);
        var (j, gw1, gb1, gw2, gb2) = ByHand();
        var d1 = (Dense)net.Layers[0];
        var d2 = (Dense)net.Layers[2];
        Assert.Equal(j, loss, 6);
        Assert.Equal(gw2[0], d2.Weight.Grad.Span[0], 6);
        Assert.Equal(gw2[1], d2.Weight.Grad.Span[1], 6);
        Assert.Equal(gb2, d2.Bias!.Grad.Span[0], 6);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(gb1[i], d1.Bias!.Grad.Span[i], 7);
            for (int k = 0; k < 2; k++) Assert.Equal(gw1[i, k], d1.Weight.Grad.Span[i * 2 + k], 7);
        }
    }

    [Fact]
    public void One_gradient_descent_step_gives_the_hand_computed_weights()
    {
        var net = Network();
        Backprop(net);
        new GradientDescent(0.5f).Step(net.Parameters);
        var (_, gw1, gb1, gw2, gb2) = ByHand();
        var d1 = (Dense)net.Layers[0];
        var d2 = (Dense)net.Layers[2];
        // Mazur's updated weights: w5 = 0.35891648, w6 = 0.408666186.
        Assert.Equal(0.35891648, d2.Weight.Value.Span[0], 6);
        Assert.Equal(0.408666186, d2.Weight.Value.Span[1], 6);
        Assert.Equal(W2[0] - 0.5 * gw2[0], d2.Weight.Value.Span[0], 6);
        Assert.Equal(W2[1] - 0.5 * gw2[1], d2.Weight.Value.Span[1], 6);
        Assert.Equal(B2 - 0.5 * gb2, d2.Bias!.Value.Span[0], 6);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(B1[i] - 0.5 * gb1[i], d1.Bias!.Value.Span[i], 6);
            for (int k = 0; k < 2; k++) Assert.Equal(W1[i, k] - 0.5 * gw1[i, k], d1.Weight.Value.Span[i * 2 + k], 6);
        }
    }

    [Fact]
    public void A_batch_gradient_is_the_mean_of_the_sample_gradients()
    {
        var net = Network();
        var x = new Tensor([0.05f, 0.10f, 0.9f, -0.4f], 2, 2);
        var y = new Tensor([0.01f, 0.99f], 2, 1);
        var grad = new Tensor(2, 1);
        net.ZeroGrad();
        new MeanSquaredError().Compute(net.Forward(x, training: true), y, grad);
        net.Backward(grad);
        var both = net.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray();

        var sum = net.Parameters.Select(p => new float[p.Length]).ToArray();
        for (int s = 0; s < 2; s++)
        {
            var xs = new Tensor(x.Sample(s).ToArray(), 1, 2);
            var ys = new Tensor(y.Sample(s).ToArray(), 1, 1);
            var gs = new Tensor(1, 1);
            net.ZeroGrad();
            new MeanSquaredError().Compute(net.Forward(xs, training: true), ys, gs);
            net.Backward(gs);
            for (int p = 0; p < sum.Length; p++)
                for (int i = 0; i < sum[p].Length; i++) sum[p][i] += net.Parameters[p].Grad.Span[i] / 2;
        }
        for (int p = 0; p < sum.Length; p++) TestData.AssertClose(sum[p], both[p], 1e-5f);
    }
}
