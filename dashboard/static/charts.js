// Charts with the vendored Chart.js (vendor/chart.umd.min.js), loaded on first use.

let loading = null;

export function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/dashboard/assets/vendor/chart.umd.min.js";
      script.onload = () => resolve(window.Chart);
      script.onerror = () => {
        loading = null;
        reject(new Error("The charting library could not be loaded"));
      };
      document.head.append(script);
    });
  }
  return loading;
}

// Colours that read apart for most colour vision (Okabe–Ito), and one per message status.
export const COLORS = {
  read: "#0072B2", delivered: "#56B4E9", sent: "#999999", failed: "#D55E00", other: "#E69F00",
  completed: "#009E73", abandoned: "#D55E00", active: "#56B4E9",
};

/** A chart on `canvas`; the caller keeps the returned chart to destroy it. */
export async function chart(canvas, config) {
  const Chart = await loadChart();
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#333";
  return new Chart(canvas, {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      ...(config.options || {}),
    },
  });
}
