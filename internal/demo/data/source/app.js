// Demo Checkout front end (bundled with `selfassess run --demo`): it carries
// the flaws the source probes look for.
const API = "http://api.demo-payments.example/v1";

export async function login(user, pass) {
  const r = await fetch(API + "/login", { method: "POST", body: JSON.stringify({ user, pass }) });
  const data = await r.json();
  localStorage.setItem("access_token", data.access_token);
  console.log("logged in with token", data.access_token);
  return fetch(API + "/me?access_token=" + data.access_token);
}
