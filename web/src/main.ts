// Placeholder until the web client issue lands.
document.getElementById('app')!.textContent = 'Graminsta';
