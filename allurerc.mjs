// Allure 3: one self-contained HTML file a user can attach to a change ticket.
export default {
  name: "xenlab acceptance",
  output: "./reports/allure-report",
  plugins: {
    awesome: {
      options: { singleFile: true, reportName: "xenlab acceptance", groupBy: ["epic", "feature", "story"] },
    },
  },
};
