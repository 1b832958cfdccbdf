// A Flow session's journey, beside its timeline: what each screen submitted (in the order the
// customer went through them), the completion's answers and the steps the endpoint answered.

import { h } from "../dom.js";
import { fullWhen, when, words } from "../format.js";
import { answerList } from "./timeline_items.js";

export function flowPanel(flow, state) {
  if (!state) return null;
  const answers = state.answers && typeof state.answers === "object" ? state.answers : {};
  const history = state.history || [];
  const screens = screenOrder(answers, history);
  const result = state.result && typeof state.result === "object" && Object.keys(state.result).length
    ? state.result : null;
  return h("section", { class: "flow-answers", "aria-labelledby": "flow-answers-title" },
    h("h2", { id: "flow-answers-title" }, "Flow answers"),
    h("p", { class: "muted flow-where" }, where(flow, state)),
    screens.length
      ? screens.map((screen) => h("div", { class: "screen", dataset: { screen } },
        h("h3", {}, screen), answerList(answers[screen])))
      : h("p", { class: "empty" }, "No screen has been submitted yet."),
    result ? h("div", { class: "screen result" }, h("h3", {}, "Completed with"), answerList(result)) : null,
    history.length ? journey(history) : null);
}

function where(flow, state) {
  const parts = [flow ? `Flow ${flow}` : "A Flow"];
  if (state.completedAt) parts.push(`completed ${when(state.completedAt)}`);
  else if (state.screen) parts.push(`now on ${state.screen}`);
  else parts.push("sent, not opened yet");
  if (state.startedAt) parts.push(`opened ${when(state.startedAt)}`);
  return parts.join(" · ");
}

/** The screens in the order they were first submitted, then any others the answers name. */
function screenOrder(answers, history) {
  const order = [];
  for (const step of history) {
    if (step.screen && step.action === "data_exchange" && step.screen in answers && !order.includes(step.screen)) {
      order.push(step.screen);
    }
  }
  return [...order, ...Object.keys(answers).filter((s) => !order.includes(s))];
}

function journey(history) {
  return h("details", { class: "journey" },
    h("summary", {}, `Journey: ${history.length} ${history.length === 1 ? "step" : "steps"}`),
    h("ol", { class: "steps-list" }, history.map((step) => h("li", {},
      step.at ? h("time", { datetime: step.at, title: fullWhen(step.at) }, when(step.at)) : null,
      ` ${step.action === "INIT" ? "Opened" : words(step.action)}`,
      step.screen ? ` ${step.screen}` : "",
      step.next && step.next !== step.screen ? ` → ${step.next}` : "",
      step.error ? h("span", { class: "run-error block" }, `Refused: ${step.error}`) : null))));
}
