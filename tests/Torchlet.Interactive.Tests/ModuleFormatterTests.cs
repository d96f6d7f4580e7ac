using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Events;

namespace Torchlet.Interactive.Tests;

public sealed class ModuleFormatterTests : IAsyncLifetime
{
    NotebookKernel _nb = null!;

    // The notes' small CNN: conv 1→8 (3×3), ReLU, 2×2 max pool, flatten, linear 8·13·13 → 10.
    const string Cnn =
        "var net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 13 * 13, 10));\n";

    public async Task InitializeAsync() => _nb = await NotebookKernel.StartAsync();
    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    static string Row(string html, string label) =>
        Regex.Match(html, "<tr[^>]*><td class=\"name\"[^>]*>[│ ├└─]*" + Regex.Escape(label) + "</td>.*?</tr>").Value;

    [Fact]
    public async Task Module_value_shows_layer_tree_counts_and_print_text()
    {
        var html = (await _nb.SubmitAsync(Cnn + "net")).Returned();
        Assert.Contains(">Sequential</td>", html);
        Assert.Contains("<td>80</td>", Row(html, "0"));                // 8·1·3·3 + 8
        Assert.Contains(">Conv2d</td>", Row(html, "0"));
        Assert.Contains("<td>13,530</td>", Row(html, "4"));            // 1352·10 + 10
        Assert.Contains("<td>52.85 KiB</td>", Row(html, "4"));         // 13530 float32s
        Assert.Contains("<td>13,610</td><td>13,610</td>", Row(html, "Total"));
        // The root owns no parameters: its row shows its sub-modules' total (in brackets, grey), not 0.
        Assert.Contains("<td class=\"sub\" style=\"color:#888\">(13,610)</td><td class=\"sub\" style=\"color:#888\">(13,610)</td><td class=\"sub\" style=\"color:#888\">(53.16 KiB)</td>", Row(html, "Sequential"));
        Assert.DoesNotContain("<td>0</td>", Row(html, "Sequential"));
        Assert.Contains("<td>0</td><td>0</td><td>0 B</td>", Row(html, "1"));   // ReLU: a leaf without parameters stays 0
        Assert.Contains("(n): a container&#39;s sub-modules together", html);
        Assert.DoesNotContain("Output shape", html);
        Assert.Contains("<summary>print(net)</summary>", html);
        Assert.Contains("(0): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))", html);
        Assert.Contains("(4): Linear(in_features=1352, out_features=10, bias=True)", html);
    }

    [Fact]
    public async Task Nested_modules_draw_a_tree()
    {
        var text = (await _nb.SubmitAsync(
            "Summary.Of(nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), nn.Linear(2, 1)))")).Returned("text/plain");
        var layers = text.Split('\n').Skip(3).Take(5).Select(l => l.Split("  ")[0]).ToArray();
        Assert.Equal(["Sequential", "├─0 (Sequential)", "│ ├─0 (Linear)", "│ └─1 (ReLU)", "└─1 (Linear)"], layers);
    }

    [Fact]
    public async Task Module_plain_text_is_PyTorch_print()
    {
        var text = (await _nb.SubmitAsync("nn.Sequential(nn.Linear(2, 3), nn.ReLU())")).Returned("text/plain");
        Assert.Equal("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)", text);
    }

    [Fact]
    public async Task Summary_with_input_shows_each_layers_output_shape()
    {
        var cell = await _nb.SubmitAsync(Cnn + "Summary.Of(net, 2, 1, 28, 28)");
        var html = cell.Returned();
        Assert.Contains("<th>Output shape</th>", html);
        Assert.Contains("<td>[2, 10]</td>", Row(html, "Sequential"));
        Assert.Contains("<td>[2, 8, 26, 26]</td>", Row(html, "0"));
        Assert.Contains("<td>[2, 8, 26, 26]</td>", Row(html, "1"));
        Assert.Contains("<td>[2, 8, 13, 13]</td>", Row(html, "2"));
        Assert.Contains("<td>[2, 1352]</td>", Row(html, "3"));
        Assert.Contains("<td>[2, 10]</td>", Row(html, "4"));
        Assert.Contains("Input: [2, 1, 28, 28]", html);
        Assert.DoesNotContain("no output recorded", html);
        var text = cell.Returned("text/plain");
        Assert.Contains("Total params: 13,610", text);
        Assert.Matches(@"\n└─4 \(Linear\) +\[2, 10\] +13,530 +13,530\n", text);
        Assert.Contains("\n├─0 (Conv2d) ", text);
    }

    [Fact]
    public async Task Custom_modules_run_with_forward_are_listed_without_a_shape_and_frozen_params_count_as_non_trainable()
    {
        var html = (await _nb.SubmitAsync("""
            class Block : torch.nn.Module<Tensor, Tensor>
            {
                public Block() : base("Block") { }
                public override Tensor forward(Tensor x) => x.relu();
            }
            class Net : torch.nn.Module<Tensor, Tensor>
            {
                public Torchlet.Modules.Linear fc1 = nn.Linear(4, 3);
                public Block block = new Block();
                public Torchlet.Modules.Linear fc2 = nn.Linear(3, 2);
                public Net() : base("Net") { }
                public override Tensor forward(Tensor x) => fc2.call(block.forward(fc1.forward(x)));
            }
            var m = new Net();
            m.fc1.requires_grad_(false);
            Summary.Of(m, 5, 4)
            """)).Returned();
        Assert.Contains("<td>[5, 3]</td>", Row(html, "fc1"));            // built-in layers run hooks on forward(x) too
        Assert.Contains("<td>—</td>", Row(html, "block"));               // a custom module's forward(x): no hook fires
        Assert.Contains("<td>[5, 2]</td>", Row(html, "fc2"));
        Assert.Contains("<td>[5, 2]</td>", Row(html, "Net"));
        Assert.Contains("<td>15</td><td>0</td>", Row(html, "fc1"));
        Assert.Contains("<td>23</td><td>8</td>", Row(html, "Total"));
        Assert.Contains("no output recorded", html);
        Assert.Contains("Non-trainable params: 15", html);
    }

    [Fact]
    public async Task Summary_pass_leaves_training_mode_and_running_stats_alone()
    {
        var cell = await _nb.SubmitAsync("""
            var bn = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4));
            bn.call(torch.randn(8, 3));
            var before = ((Torchlet.Modules.BatchNorm1d)bn.get_submodule("1")).running_mean!.ToArray<float>();
            bn[0].eval();
            var s = Summary.Of(bn, 1, 3);
            var after = ((Torchlet.Modules.BatchNorm1d)bn.get_submodule("1")).running_mean!.ToArray<float>();
            $"{bn.training} {bn.get_submodule("0").training} {bn.get_submodule("1").training} {before.SequenceEqual(after)} {s.Rows[2].OutputShapes![0]}"
            """);
        Assert.Equal("True False True True [1, 4]", cell.Returned("text/plain"));
    }

    [Fact]
    public async Task Summary_pass_restores_mixed_training_flags_at_every_depth()
    {
        var cell = await _nb.SubmitAsync("""
            var deep = nn.Sequential(nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5)), nn.Linear(3, 1));
            deep.get_submodule("0").eval();
            deep.get_submodule("0.0").train();
            Summary.Of(deep, 2, 3);
            string.Join(" ", deep.named_modules().Select(x => $"{(x.name.Length == 0 ? "root" : x.name)}={x.module.training}"))
            """);
        Assert.Equal("root=True 0=False 0.0=True 0.1=False 1=True", cell.Returned("text/plain"));
    }

    [Fact]
    public async Task Tuple_outputs_list_every_tensor_shape()
    {
        var html = (await _nb.SubmitAsync("""
            class Seq : torch.nn.Module<Tensor, Tensor>
            {
                public Torchlet.Modules.LSTM lstm = nn.LSTM(3, 5);
                public Seq() : base("Seq") { }
                public override Tensor forward(Tensor x) => lstm.call(x, null).Item1;
            }
            Summary.Of(new Seq(), 7, 2, 3)
            """)).Returned();
        Assert.Contains("<td>([7, 2, 5], [1, 2, 5], [1, 2, 5])</td>", Row(html, "lstm"));
    }

    [Theory]
    [InlineData("nn.LSTM(1, 5)", "([10, 3, 5], [1, 3, 5], [1, 3, 5])", "h0_c0 ((Tensor, Tensor)?)", 160)]
    [InlineData("nn.GRU(1, 5, num_layers: 2)", "([10, 3, 5], [2, 3, 5])", "h0 (Tensor)", 120 + 180)]
    [InlineData("nn.RNN(1, 5)", "([10, 3, 5], [1, 3, 5])", "h0 (Tensor)", 40)]
    public async Task Recurrent_layers_run_with_their_state_left_out_and_show_every_output(string create, string shapes, string argument, long parameters)
    {
        var cell = await _nb.SubmitAsync($"var rnn = {create};\nSummary.Of(rnn, 10, 3, 1)");
        var html = cell.Returned();
        var type = create[3..create.IndexOf('(')];
        Assert.Contains($"<td>{shapes}</td>", Row(html, type));
        Assert.Contains($"<td>{parameters:N0}</td>", Row(html, type));
        Assert.Contains($"The forward pass called {type}.forward(x, null): its second argument {argument} may be left out (the initial state: zeros), and was.", html);
        var text = cell.Returned("text/plain");
        Assert.Contains(shapes, text);
        Assert.Contains("forward(x, null)", text);
    }

    [Fact]
    public async Task Summary_of_a_module_with_an_optional_second_argument_and_of_the_notes_LSTM_net()
    {
        var own = (await _nb.SubmitAsync("""
            class WithState : torch.nn.Module<Tensor, Tensor, Tensor>
            {
                public Torchlet.Modules.Linear fc = nn.Linear(3, 2);
                public WithState() : base("WithState") { }
                public override Tensor forward(Tensor x, Tensor h = null) => h is null ? fc.forward(x) : fc.forward(x) + h;
            }
            Summary.Of(new WithState(), 4, 3)
            """)).Returned();
        Assert.Contains("<td>[4, 2]</td>", Row(own, "WithState"));
        Assert.Contains("The forward pass called WithState.forward(x, null): its second argument h (Tensor) may be left out, and was.", own);

        // The notes' §2.8 Net: x[:, :, None], an LSTM, a Linear on its output.
        var cell = await _nb.SubmitAsync("""
            class LstmNet : torch.nn.Module<Tensor, Tensor>
            {
                readonly Torchlet.Modules.LSTM rnn;
                readonly Torchlet.Modules.Linear fc;
                public LstmNet(long input_size, long hidden_size) : base("Net")
                {
                    rnn = nn.LSTM(input_size, hidden_size);
                    fc = nn.Linear(hidden_size, 1);
                }
                public override Tensor forward(Tensor x)
                {
                    x = x[.., .., TensorIndex.None];
                    (x, _, _) = rnn.forward(x);
                    x = fc.forward(x);
                    return x[.., .., 0];
                }
            }
            Summary.Of(new LstmNet(1, 5), 20, 16)
            """);
        var html = cell.Returned();
        Assert.Contains("<td>[20, 16]</td>", Row(html, "Net"));
        Assert.Contains("<td>([20, 16, 5], [1, 16, 5], [1, 16, 5])</td><td>160</td>", Row(html, "rnn"));
        Assert.Contains("<td>[20, 16, 1]</td><td>6</td>", Row(html, "fc"));
        Assert.Contains(">(166)</td>", Row(html, "Net"));
        Assert.Contains("<td>166</td><td>166</td>", Row(html, "Total"));
        Assert.Matches(@"Net +\[20, 16\] +\(166\) +\(166\)\n", cell.Returned("text/plain"));
    }

    [Fact]
    public async Task Modules_a_summary_cannot_run_are_explained_in_plain_words()
    {
        var three = await _nb.SubmitAsync("""
            class Three : torch.nn.Module<Tensor, Tensor, Tensor, Tensor>
            {
                public Three() : base("Three") { }
                public override Tensor forward(Tensor q, Tensor k, Tensor v) => q + k + v;
            }
            Summary.Of(new Three(), 2, 3)
            """);
        Assert.True(three.Failure!.Message.Contains("Three's forward takes 3 inputs (Tensor q, Tensor k, Tensor v); a summary's forward pass gives a module one tensor of zeros"), three.Failure.Message.Split('\n')[0]);
        var list = await _nb.SubmitAsync("Summary.Of(nn.ModuleList(nn.Linear(2, 2)), 2, 2)");
        Assert.Contains("ModuleList has no forward of its own", list.Failure!.Message);
        // Without an input shape every module has a summary.
        Assert.Contains("<td>6</td>", (await _nb.SubmitAsync("Summary.Of(nn.ModuleList(nn.Linear(2, 2)))")).Returned());
    }

    [Fact]
    public async Task Bad_summary_input_fails_the_cell_clearly_and_the_next_cell_runs()
    {
        (await _nb.SubmitAsync("var n = nn.Sequential(nn.Linear(4, 2));")).AssertSucceeded();
        var bad = await _nb.SubmitAsync("Summary.Of(n, 3, 5)");
        Assert.NotNull(bad.Failure);
        Assert.Contains("Summary.Of: the forward pass of Sequential on zeros of shape [3, 5] (torch.float32) failed", bad.Failure!.Message);
        Assert.Contains("in_features=4", bad.Failure.Message);

        var negative = await _nb.SubmitAsync("Summary.Of(nn.Linear(4, 2), 3, -1)");
        Assert.Contains("expected an input shape of non-negative sizes", negative.Failure!.Message);

        var twoInputs = await _nb.SubmitAsync("Summary.Of(nn.MSELoss(), 3)");
        Assert.Contains("Summary.Of: MSELoss's forward takes 2 inputs (Tensor input, Tensor target), and its second one may not be null; " +
                        "a summary's forward pass gives a module one tensor of zeros of the input shape", twoInputs.Failure!.Message);
        Assert.Contains("Summary.Of(module) without an input shape gives the layer and parameter table", twoInputs.Failure.Message);
        Assert.DoesNotContain("`", twoInputs.Failure.Message.Split('\n')[0]);   // no CLR names such as Nullable`1

        var next = await _nb.SubmitAsync("nn.Linear(4, 2)");
        Assert.Contains("<td>10</td>", next.Returned());
        // The failed pass put the module back in training mode, and it still works.
        Assert.Equal("True [3, 2]", (await _nb.SubmitAsync("$\"{n.training} {Summary.Of(n, 3, 4).Rows[0].OutputShapes![0]}\"")).Returned("text/plain"));
    }

    [Fact]
    public async Task User_error_fails_the_cell_and_the_kernel_keeps_working()
    {
        var bad = await _nb.SubmitAsync("torch.ones(2, 3).matmul(torch.ones(2, 3))");
        Assert.NotNull(bad.Failure);
        Assert.Contains("2x3", bad.Failure!.Message);
        Assert.Empty(bad.Events.OfType<ReturnValueProduced>());

        var next = await _nb.SubmitAsync("torch.ones(2, 3).matmul(torch.ones(3, 2))");
        Assert.Contains("Tensor [2, 2]", next.Returned());
        Assert.Contains("<td>3.</td>", next.Returned());
    }

    [Fact]
    public async Task Loading_inside_a_cell_shows_the_banner()
    {
        var cell = await _nb.SubmitAsync(
            "await new Torchlet.Interactive.TorchletExtension().OnLoadAsync(Microsoft.DotNet.Interactive.KernelInvocationContext.Current.HandlingKernel.RootKernel);");
        cell.AssertSucceeded();
        // Two outputs: the banner, then plotly.js for the charts (see ChartTests).
        var outputs = cell.Events.OfType<DisplayedValueProduced>().Select(e => e.FormattedValues.Single(v => v.MimeType == "text/html").Value).ToList();
        Assert.Equal(2, outputs.Count);
        Assert.Contains("torchlet-plotly-loader", outputs[1]);
        var shown = outputs[0];
        Assert.Contains("Torchlet " + TorchletExtension.EngineVersion(), shown);
        Assert.Contains("SIMD: Vector", shown);
        Assert.Contains("threads: " + torch.get_num_threads(), shown);
    }
}
