// The notes' §2.4 example: minimise f(x) = -(Σ cos²x)² with torch.optim.SGD, 11 steps.
using Torchlet;
using static Torchlet.torch;

var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
var optimizer = optim.SGD(new[] { x }, lr: 0.1, momentum: 0);
Tensor f = -x.cos().pow(2).sum().pow(2);
for (int step = 0; step < 11; step++)
{
    if (step > 0)
    {
        optimizer.zero_grad();
        f.backward();
        optimizer.step();
    }
    f = -x.cos().pow(2).sum().pow(2);
    Console.WriteLine($"step {step}: x = [{string.Join(", ", x.data<float>().ToArray().Select(v => v.ToString("R")))}], f(x) = {f}");
}
