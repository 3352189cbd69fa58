// Starts GraphiQL against this server's own /graphql endpoint.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });
  var defaultQuery = [
    '# Welcome to the CUF Cooperation API.',
    '# The schema is documented in the Docs pane; try this query:',
    '{',
    '  authorities(first: 5, filter: { search: "haute saone" }) {',
    '    totalCount',
    '    nodes { id name kind countryCode }',
    '  }',
    '}',
    ''
  ].join('\n');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
