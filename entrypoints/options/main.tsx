import { render } from 'preact';
render(<p>CTI Pop</p>, document.getElementById('app')!);
