using LoraLab.Web.Apis;
using LoraLab.Web.Components;
using LoraLab.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddLoraLabServices();

var app = builder.Build();
if (!app.TrySelectComputeDevice()) return 1;

if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
// No HTTPS redirection: the studio serves plain HTTP on the host or behind a TLS-terminating proxy.
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
return 0;
